"""The carriers a cross-border seller meets, seeded once so the ship form and the tracking links work on day one.

Each carrier's public tracking page takes the number in its URL, so a tracking number in chuhai is always one click
from the carrier's own page. Where a carrier has no stable deep link (China Post's tracker sits behind a CAPTCHA,
J&T runs one site per country) the link goes to 17TRACK, which tracks them all. Seeding only adds carriers that are
missing: a URL or name an admin corrected is never overwritten by the next ``migrate``.
"""

from __future__ import annotations

from dataclasses import dataclass

SEVENTEEN_TRACK = "https://t.17track.net/en#nums={tracking}"


@dataclass(frozen=True)
class DefaultCarrier:
    code: str
    name: str
    name_zh: str
    tracking_url_template: str
    is_line_haul: bool = False


DEFAULT_CARRIERS: tuple[DefaultCarrier, ...] = (
    DefaultCarrier("usps", "USPS", "美国邮政", "https://tools.usps.com/go/TrackConfirmAction?tLabels={tracking}"),
    DefaultCarrier("ups", "UPS", "UPS 联合包裹", "https://www.ups.com/track?tracknum={tracking}"),
    DefaultCarrier("fedex", "FedEx", "联邦快递", "https://www.fedex.com/fedextrack/?trknbr={tracking}"),
    DefaultCarrier("dhl-express", "DHL Express", "DHL 国际快递",
                   "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id={tracking}"),
    DefaultCarrier("royal-mail", "Royal Mail", "英国皇家邮政",
                   "https://www.royalmail.com/track-your-item#/tracking-results/{tracking}"),
    DefaultCarrier("dhl-paket", "Deutsche Post / DHL Paket", "德国邮政 / DHL 包裹",
                   "https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode={tracking}"),
    DefaultCarrier("japan-post", "Japan Post", "日本邮政",
                   "https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1={tracking}&locale=en"),
    DefaultCarrier("china-post", "China Post / EMS", "中国邮政 / EMS", SEVENTEEN_TRACK),
    DefaultCarrier("sf-express", "SF Express", "顺丰速运",
                   "https://www.sf-express.com/chn/en/waybill/waybill-detail/{tracking}"),
    DefaultCarrier("cainiao", "Cainiao", "菜鸟", "https://global.cainiao.com/detail.htm?mailNoList={tracking}", True),
    DefaultCarrier("4px", "4PX", "递四方", "https://track.4px.com/#/result/0/{tracking}", True),
    DefaultCarrier("yanwen", "Yanwen", "燕文物流", "https://track.yw56.com.cn/en/querydel?nums={tracking}", True),
    DefaultCarrier("yunexpress", "YunExpress", "云途物流", "https://www.yuntrack.com/parcelTracking?id={tracking}", True),
    DefaultCarrier("sfc", "SFC", "三态速递", "https://www.sfcservice.com/track?tracknumbers={tracking}", True),
    DefaultCarrier("wanb", "Wanb Express", "万邦速达", "https://tracking.wanbexpress.com/?trackingNumbers={tracking}",
                   True),
    DefaultCarrier("jt-express", "J&T Express", "极兔速递", SEVENTEEN_TRACK),
    DefaultCarrier("ninja-van", "Ninja Van", "Ninja Van", "https://www.ninjavan.co/en-sg/tracking?id={tracking}"),
    DefaultCarrier("17track", "Other (17TRACK)", "其他（17TRACK 查询）", SEVENTEEN_TRACK),
)


def ensure_default_carriers(**_kwargs) -> int:
    """Create the default carriers that do not exist yet (matched by code); return how many were created.

    Idempotent, and safe as a ``post_migrate`` receiver: existing rows, edited or not, are left alone.
    """
    from .models import Carrier

    existing = set(Carrier.objects.values_list("code", flat=True))
    created = 0
    for default in DEFAULT_CARRIERS:
        if default.code in existing:
            continue
        Carrier.objects.create(code=default.code, name=default.name, name_zh=default.name_zh,
                               tracking_url_template=default.tracking_url_template,
                               is_line_haul=default.is_line_haul)
        created += 1
    return created
