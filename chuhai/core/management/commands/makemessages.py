"""``makemessages`` that also knows the ``_lazy`` alias: the page views import ``gettext_lazy as _lazy`` (next to
``gettext as _``), and without this keyword every run would drop their strings from the catalogue as obsolete."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_lazy"]
