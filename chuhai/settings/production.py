"""Default settings for ``chuhai`` commands and the server: refuses DEBUG and well-known secrets."""

from django.core.exceptions import ImproperlyConfigured

from chuhai.config import KNOWN_INSECURE_SECRETS

from .base import *  # noqa: F403
from .base import DEBUG, SECRET_KEY

if DEBUG:
    raise ImproperlyConfigured(
        "CHUHAI_DEBUG is on under production settings; unset it, or use DJANGO_SETTINGS_MODULE=chuhai.settings.development"
    )
if SECRET_KEY in KNOWN_INSECURE_SECRETS or len(SECRET_KEY) < 32 or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured(
        "CHUHAI_SECRET_KEY is a default or too short (< 32 characters); unset it to have one generated in the data dir"
    )
