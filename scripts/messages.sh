#!/usr/bin/env bash
# Update both Simplified Chinese catalogues after adding strings, then compile them:
#   chuhai/locale      — everything outside the entity pages (wins where both define a string)
#   chuhai/web/locale  — chuhai/web/pages and chuhai/web/templates/web/pages
# Then fill the empty msgstr entries it lists (msgattrib --untranslated FILE) and run it again to compile.
set -euo pipefail
cd "$(dirname "$0")/../chuhai"
PY=../.venv/bin/python
MANAGE=../manage.py
export CHUHAI_DATA_DIR="${CHUHAI_DATA_DIR:-$(mktemp -d)}"

# Ignoring web/locale makes the shell's strings (web/*.py, base.html...) land in chuhai/locale.
$PY $MANAGE makemessages -l zh_Hans --ignore 'web/pages/*' --ignore 'web/templates/web/pages/*' --ignore web/locale

# The pages: the nearest locale folder of web/pages/... is web/locale; everything else is ignored.
ignore=()
for path in *; do case "$path" in web|locale) ;; *) ignore+=(--ignore "$path") ;; esac; done
for path in views.py charts.py context.py navigation.py urls.py apps.py static templatetags templates/registration \
            templates/web/base.html templates/web/home.html templates/web/_language_switch.html \
            'templates/40*.html' templates/500.html; do
    ignore+=(--ignore "web/$path")
done
$PY $MANAGE makemessages -l zh_Hans "${ignore[@]}"

for po in locale/zh_Hans/LC_MESSAGES/django.po web/locale/zh_Hans/LC_MESSAGES/django.po; do
    echo "$po: $(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid' || true) untranslated," \
         "$(msgattrib --only-fuzzy --no-obsolete "$po" | grep -c '^msgid' || true) fuzzy"
done
$PY $MANAGE compilemessages -l zh_Hans
