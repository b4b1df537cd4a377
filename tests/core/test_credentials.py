import pytest
from django.db import connection

from chuhai.channels.models import ChannelAccount
from chuhai.channels.services import create_account


@pytest.mark.django_db
def test_credentials_are_encrypted_at_rest_and_masked():
    secret = "Atzr|IwEBIExampleRefreshToken0123456789"
    account = create_account("AMZ-US", "amazon", "US", credentials={"refresh_token": secret})
    with connection.cursor() as cur:
        cur.execute("SELECT credentials FROM channels_channelaccount WHERE id = %s", [account.pk])
        raw = cur.fetchone()[0]
    assert secret not in raw and "refresh_token" not in raw
    assert ChannelAccount.objects.get(pk=account.pk).credentials == {"refresh_token": secret}
    assert account.masked_credentials() == {"refresh_token": "••••••6789"}


@pytest.mark.django_db
def test_credentials_are_not_kept_in_the_audit_history():
    account = create_account("SHOPIFY", "shopify", "US", credentials={"token": "shpat_abcdef123456"})
    assert account.operating_model == "own_site" and account.currency == "USD"
    historical = account.history.first()
    assert not hasattr(historical, "credentials")


@pytest.mark.django_db
def test_account_defaults_follow_marketplace_and_aliases():
    account = create_account("AMZ-UK", "amazon", "UK")
    assert (account.marketplace, account.currency, account.operating_model) == ("GB", "GBP", "platform")
    with pytest.raises(ValueError):
        create_account("X", "myspace", "US")
