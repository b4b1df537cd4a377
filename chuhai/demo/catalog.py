"""The demo catalogue: ~125 electronics-accessory SKUs of a Shenzhen seller, plus kits made of them.

Mains products (chargers, smart plugs) exist once per plug type, as real sellers stock them: a US-plug charger is
a different SKU from its EU and UK twins and is only listed where it fits (Japan uses the US type A plug).
Costs are purchase prices in CNY from Shenzhen suppliers; ``usd_price`` is the reference retail price on
Amazon.com from which every marketplace's price is derived (see :mod:`chuhai.demo.pricing`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

PLUG_NAMES = {"US": ("US plug", "美规"), "EU": ("EU plug", "欧规"), "UK": ("UK plug", "英规")}

# Harmonised System headings (6 digits, valid worldwide).
HS_CHARGER = "850440"       # static converters (power adapters, wireless chargers)
HS_CABLE = "854442"         # electric conductors fitted with connectors, <= 1,000 V
HS_POWER_BANK = "850760"    # lithium-ion accumulators
HS_ALU_STAND = "761699"     # other articles of aluminium
HS_PLASTIC = "392690"       # other articles of plastics (cases, clips)
HS_HUB = "847180"           # units of automatic data-processing machines (hubs, docks)
HS_GLASS = "700719"         # toughened safety glass (screen protectors)
HS_SMART_PLUG = "853669"    # plugs and sockets, <= 1,000 V
HS_LED = "853952"           # LED lamps
HS_BAG = "420292"           # cases and bags with outer surface of textile


@dataclass(frozen=True, slots=True)
class ProductSpec:
    sku: str
    name_en: str
    name_zh: str
    brand: str
    category: str
    cost_cny: Decimal
    usd_price: Decimal
    weight_g: int
    dims_mm: tuple[int, int, int]
    hs_code: str
    popularity: float
    plug: str | None = None
    has_battery: bool = False
    is_hazmat: bool = False
    components: tuple[tuple[str, int], ...] = ()
    #: Fraction of the demo year at which the product went on sale (0 = before the year started).
    launch: float = 0.0
    #: Fraction of the year at which it was discontinued (its listings are inactive now), or None.
    retire: float | None = None

    @property
    def is_bundle(self) -> bool:
        return bool(self.components)


def _d(text: str) -> Decimal:
    return Decimal(text)


def _chargers() -> list[ProductSpec]:
    out = []
    models = [  # watts, ports, cost, price, weight, dims, popularity, plugs
        (20, "1C", "11.80", "12.99", 32, (30, 30, 28), 5.0, ("US", "EU", "UK")),
        (30, "1C", "15.50", "17.99", 40, (32, 32, 30), 4.0, ("US", "EU", "UK")),
        (45, "2C", "24.00", "25.99", 68, (36, 36, 32), 3.0, ("US", "EU", "UK")),
        (65, "2C1A", "36.50", "35.99", 112, (45, 45, 30), 6.0, ("US", "EU", "UK")),
        (100, "3C1A", "58.00", "55.99", 185, (65, 65, 32), 3.0, ("US", "EU", "UK")),
        (140, "3C1A", "96.00", "79.99", 265, (72, 68, 33), 1.2, ("US", "EU")),
    ]
    for watts, ports, cost, price, weight, dims, pop, plugs in models:
        for plug in plugs:
            en_plug, zh_plug = PLUG_NAMES[plug]
            out.append(ProductSpec(
                sku=f"VN-GAN{watts}-{plug}",
                name_en=f"VOLTNEST {watts}W GaN USB-C Charger, {ports}, {en_plug}",
                name_zh=f"VOLTNEST {watts}W 氮化镓快充充电器 {ports} {zh_plug}",
                brand="VOLTNEST", category="Chargers", cost_cny=_d(cost), usd_price=_d(price), weight_g=weight,
                dims_mm=dims, hs_code=HS_CHARGER, popularity=pop * (1.0 if plug == "US" else 0.8), plug=plug,
                launch=0.55 if watts == 140 else 0.0,
            ))
    out += [
        ProductSpec("VN-CAR60", "VOLTNEST 60W Dual USB-C Car Charger", "VOLTNEST 60W 双口车载快充",
                    "VOLTNEST", "Chargers", _d("13.20"), _d("15.99"), 28, (58, 25, 25), HS_CHARGER, 2.0),
        ProductSpec("VN-WPAD15", "VOLTNEST 15W Magnetic Wireless Charging Pad", "VOLTNEST 15W 磁吸无线充电器",
                    "VOLTNEST", "Chargers", _d("22.00"), _d("19.99"), 55, (60, 60, 8), HS_CHARGER, 2.5),
        ProductSpec("VN-W3IN1", "VOLTNEST 3-in-1 Foldable Wireless Charging Stand", "VOLTNEST 三合一折叠无线充电支架",
                    "VOLTNEST", "Chargers", _d("68.00"), _d("45.99"), 210, (110, 70, 25), HS_CHARGER, 2.2),
        ProductSpec("VN-W2IN1", "VOLTNEST 2-in-1 Travel Wireless Charger", "VOLTNEST 二合一便携无线充",
                    "VOLTNEST", "Chargers", _d("45.00"), _d("32.99"), 120, (95, 48, 14), HS_CHARGER, 1.3,
                    launch=0.3),
    ]
    return out


def _cables() -> list[ProductSpec]:
    out = []
    rows = [  # sku, en, zh, cost, price, weight, popularity, launch
        ("LK-CC60-1M-BK", "USB-C to USB-C Cable 60W Braided 1m, Black", "USB-C 双头快充线 60W 编织 1米 黑色", "4.20", "8.99", 28, 4.0, 0.0),
        ("LK-CC60-1M-WH", "USB-C to USB-C Cable 60W Braided 1m, White", "USB-C 双头快充线 60W 编织 1米 白色", "4.20", "8.99", 28, 3.0, 0.0),
        ("LK-CC60-2M-BK", "USB-C to USB-C Cable 60W Braided 2m, Black", "USB-C 双头快充线 60W 编织 2米 黑色", "5.60", "10.99", 45, 3.5, 0.0),
        ("LK-CC60-2M-WH", "USB-C to USB-C Cable 60W Braided 2m, White", "USB-C 双头快充线 60W 编织 2米 白色", "5.60", "10.99", 45, 2.5, 0.0),
        ("LK-CC100-1M", "USB-C to USB-C Cable 100W E-Marker 1m", "USB-C 100W E-Marker 数据线 1米", "8.50", "12.99", 35, 2.5, 0.0),
        ("LK-CC100-2M", "USB-C to USB-C Cable 100W E-Marker 2m", "USB-C 100W E-Marker 数据线 2米", "10.20", "14.99", 55, 2.8, 0.0),
        ("LK-CC240-1M", "USB-C Cable 240W USB4 1m", "USB-C 240W USB4 全功能线 1米", "18.00", "19.99", 40, 1.2, 0.4),
        ("LK-CC240-2M", "USB-C Cable 240W 2m", "USB-C 240W 快充线 2米", "16.50", "17.99", 60, 1.4, 0.4),
        ("LK-CL-1M", "USB-C to Lightning Cable MFi Certified 1m", "USB-C 转 Lightning 苹果MFi认证线 1米", "9.80", "12.99", 30, 3.0, 0.0),
        ("LK-CL-2M", "USB-C to Lightning Cable MFi Certified 2m", "USB-C 转 Lightning 苹果MFi认证线 2米", "11.50", "14.99", 45, 2.2, 0.0),
        ("LK-AC-1M", "USB-A to USB-C Cable 3A 1m", "USB-A 转 USB-C 3A 数据线 1米", "3.10", "6.99", 26, 1.8, 0.0),
        ("LK-AC-2M", "USB-A to USB-C Cable 3A 2m", "USB-A 转 USB-C 3A 数据线 2米", "3.90", "7.99", 40, 1.5, 0.0),
        ("LK-3IN1", "3-in-1 Multi Charging Cable 1.2m (USB-C / Lightning / Micro-USB)", "三合一充电线 1.2米", "6.50", "9.99", 48, 1.6, 0.0),
        ("LK-RETRACT", "Retractable USB-C Cable 60W 0.9m", "伸缩 USB-C 快充线 60W 0.9米", "8.80", "13.99", 42, 2.0, 0.2),
        ("LK-CC60-2M-2P", "USB-C to USB-C Cable 60W 2m, 2-Pack", "USB-C 双头快充线 60W 2米 两条装", "10.40", "15.99", 90, 2.6, 0.0),
        ("LK-CL-1M-2P", "USB-C to Lightning Cable MFi 1m, 2-Pack", "USB-C 转 Lightning MFi 线 1米 两条装", "18.60", "19.99", 62, 1.4, 0.0),
        ("LK-TIES-10", "Silicone Cable Ties, 10-Pack", "硅胶理线扎带 10条装", "2.40", "6.99", 35, 1.0, 0.0),
    ]
    for sku, en, zh, cost, price, weight, pop, launch in rows:
        out.append(ProductSpec(sku, f"LINKAZO {en}", f"LINKAZO {zh}", "LINKAZO", "Cables", _d(cost), _d(price),
                               weight, (120, 90, 20), HS_CABLE if "TIES" not in sku else HS_PLASTIC, pop,
                               launch=launch))
    return out


def _power_banks() -> list[ProductSpec]:
    rows = [  # sku, en, zh, cost, price, weight, dims, popularity, launch
        ("VN-PB5K-MAG-BK", "5000mAh Magnetic Power Bank, Black", "5000mAh 磁吸充电宝 黑色", "38.00", "25.99", 110, (98, 66, 12), 3.0, 0.0),
        ("VN-PB5K-MAG-WH", "5000mAh Magnetic Power Bank, White", "5000mAh 磁吸充电宝 白色", "38.00", "25.99", 110, (98, 66, 12), 2.6, 0.0),
        ("VN-PB5K-MAG-PU", "5000mAh Magnetic Power Bank, Lavender", "5000mAh 磁吸充电宝 薰衣草紫", "38.00", "25.99", 110, (98, 66, 12), 1.4, 0.45),
        ("VN-PB10K-MAG-BK", "10000mAh Magnetic Power Bank 20W, Black", "10000mAh 磁吸充电宝 20W 黑色", "56.00", "35.99", 190, (105, 68, 18), 3.2, 0.0),
        ("VN-PB10K-MAG-WH", "10000mAh Magnetic Power Bank 20W, White", "10000mAh 磁吸充电宝 20W 白色", "56.00", "35.99", 190, (105, 68, 18), 2.4, 0.0),
        ("VN-PB10K-SLIM", "10000mAh Slim Power Bank 22.5W", "10000mAh 超薄充电宝 22.5W", "42.00", "22.99", 205, (140, 68, 15), 2.0, 0.0),
        ("VN-PB20K-65W", "20000mAh Laptop Power Bank 65W", "20000mAh 笔记本充电宝 65W", "98.00", "49.99", 420, (155, 72, 27), 1.8, 0.0),
        ("VN-PB27K-140W", "27000mAh Power Bank 140W with Display", "27000mAh 140W 数显充电宝", "168.00", "89.99", 590, (160, 80, 30), 0.9, 0.35),
        ("VN-PB5K-MINI-BK", "5000mAh Mini Power Bank with Built-in USB-C, Black", "5000mAh 直插式迷你充电宝 USB-C 黑色", "26.00", "18.99", 95, (80, 38, 25), 1.6, 0.0),
        ("VN-PB5K-MINI-PK", "5000mAh Mini Power Bank with Built-in USB-C, Pink", "5000mAh 直插式迷你充电宝 USB-C 粉色", "26.00", "18.99", 95, (80, 38, 25), 1.2, 0.0),
    ]
    return [
        ProductSpec(sku, f"VOLTNEST {en}", f"VOLTNEST {zh}", "VOLTNEST", "Power banks", _d(cost), _d(price), weight,
                    dims, HS_POWER_BANK, pop, has_battery=True, is_hazmat=True, launch=launch)
        for sku, en, zh, cost, price, weight, dims, pop, launch in rows
    ]


def _stands() -> list[ProductSpec]:
    rows = [  # sku, en, zh, cost, price, weight, dims, hs, popularity
        ("LK-STD-ALU-SV", "Adjustable Aluminium Phone Stand, Silver", "铝合金可调手机支架 银色", "16.00", "15.99", 260, (100, 90, 40), HS_ALU_STAND, 3.0),
        ("LK-STD-ALU-GY", "Adjustable Aluminium Phone Stand, Space Grey", "铝合金可调手机支架 深空灰", "16.00", "15.99", 260, (100, 90, 40), HS_ALU_STAND, 2.6),
        ("LK-STD-FOLD-BK", "Foldable Portable Phone Stand, Black", "折叠便携手机支架 黑色", "5.50", "9.99", 70, (95, 25, 12), HS_PLASTIC, 2.2),
        ("LK-STD-FOLD-WH", "Foldable Portable Phone Stand, White", "折叠便携手机支架 白色", "5.50", "9.99", 70, (95, 25, 12), HS_PLASTIC, 1.6),
        ("LK-CAR-VENT", "Magnetic Car Mount for MagSafe, Air Vent", "磁吸车载手机支架 出风口", "14.00", "19.99", 80, (70, 70, 45), HS_PLASTIC, 2.0),
        ("LK-CAR-DASH", "Magnetic Car Mount for MagSafe, Dashboard", "磁吸车载手机支架 仪表台", "17.50", "22.99", 120, (75, 75, 90), HS_PLASTIC, 1.3),
        ("LK-TAB-SV", "Aluminium Tablet Stand, Silver", "铝合金平板支架 银色", "24.00", "22.99", 380, (150, 120, 50), HS_ALU_STAND, 1.2),
        ("LK-TAB-GY", "Aluminium Tablet Stand, Space Grey", "铝合金平板支架 深空灰", "24.00", "22.99", 380, (150, 120, 50), HS_ALU_STAND, 1.0),
        ("LK-BIKE", "Bike Phone Mount, Quick Release", "自行车手机支架 快拆", "12.00", "16.99", 110, (90, 80, 60), HS_PLASTIC, 1.1),
        ("LK-LAPTOP-STD", "Aluminium Laptop Stand, Foldable", "铝合金笔记本支架 可折叠", "28.00", "29.99", 520, (260, 60, 25), HS_ALU_STAND, 1.5),
    ]
    return [
        ProductSpec(sku, f"LINKAZO {en}", f"LINKAZO {zh}", "LINKAZO", "Stands & mounts", _d(cost), _d(price), weight,
                    dims, hs, pop)
        for sku, en, zh, cost, price, weight, dims, hs, pop in rows
    ]


def _cases() -> list[ProductSpec]:
    colours = {"BK": ("Black", "黑色"), "WH": ("White", "白色"), "NV": ("Navy", "藏青"), "PK": ("Pink", "粉色"),
               "GN": ("Sage Green", "鼠尾草绿"), "LV": ("Lavender", "薰衣草紫"), "CL": ("Clear", "透明")}
    models = [  # code, en, zh, colours, price, popularity, retire
        ("APP2", "AirPods Pro 2", "AirPods Pro 2", ("BK", "WH", "NV", "PK", "GN"), "9.99", 2.4, None),
        ("AP4", "AirPods 4", "AirPods 4", ("BK", "WH", "LV"), "8.99", 1.8, None),
        ("AP3", "AirPods 3", "AirPods 3", ("BK", "CL"), "7.99", 0.8, 0.6),
        ("GB3P", "Galaxy Buds3 Pro", "Galaxy Buds3 Pro", ("BK", "CL"), "8.99", 0.9, None),
    ]
    out = []
    for code, en, zh, cols, price, pop, retire in models:
        for col in cols:
            col_en, col_zh = colours[col]
            material = ("Clear TPU", "透明TPU") if col == "CL" else ("Silicone", "硅胶")
            out.append(ProductSpec(
                f"LK-CASE-{code}-{col}", f"LINKAZO {material[0]} Case for {en}, {col_en}",
                f"LINKAZO {zh} {material[1]}保护套 {col_zh}", "LINKAZO", "Earbud cases", _d("3.80"), _d(price), 30,
                (80, 65, 30), HS_PLASTIC, pop * (1.2 if col == "BK" else 0.8), retire=retire,
            ))
    out.append(ProductSpec("LK-CASE-APP2-SHOCK", "LINKAZO Shockproof Clear Case for AirPods Pro 2 with Keychain",
                           "LINKAZO AirPods Pro 2 防摔透明保护套 带挂钩", "LINKAZO", "Earbud cases", _d("5.20"),
                           _d("11.99"), 38, (85, 70, 35), HS_PLASTIC, 1.5))
    return out


def _hubs() -> list[ProductSpec]:
    rows = [  # sku, en, zh, cost, price, weight, popularity, launch
        ("LK-HUB-A4", "4-Port USB 3.0 Hub", "4口 USB 3.0 集线器", "14.00", "12.99", 60, 1.4, 0.0),
        ("LK-HUB-C4", "USB-C 4-Port USB 3.0 Hub", "USB-C 转 4口 USB 3.0 集线器", "18.00", "15.99", 55, 1.6, 0.0),
        ("LK-HUB-5IN1", "5-in-1 USB-C Hub with 4K HDMI", "五合一 USB-C 扩展坞 4K HDMI", "32.00", "25.99", 75, 2.0, 0.0),
        ("LK-HUB-7IN1", "7-in-1 USB-C Hub, 4K HDMI, SD/TF, 100W PD", "七合一 USB-C 扩展坞 4K HDMI SD/TF 100W", "46.00", "35.99", 95, 2.4, 0.0),
        ("LK-HUB-8IN1", "8-in-1 USB-C Hub with Gigabit Ethernet", "八合一 USB-C 扩展坞 千兆网口", "58.00", "45.99", 110, 1.5, 0.0),
        ("LK-DOCK-10", "10-in-1 USB-C Docking Station, Dual HDMI", "十合一 USB-C 扩展坞 双HDMI", "128.00", "79.99", 240, 0.8, 0.6),
        ("LK-AD-HDMI", "USB-C to HDMI Adapter 4K60", "USB-C 转 HDMI 转接头 4K60", "15.00", "14.99", 40, 1.2, 0.0),
        ("LK-AD-ETH", "USB-C to Gigabit Ethernet Adapter", "USB-C 转千兆网口转接头", "19.00", "16.99", 45, 0.9, 0.0),
        ("LK-AD-CA-2P", "USB-C to USB-A Adapter, 2-Pack", "USB-C 转 USB-A 转接头 两只装", "3.60", "7.99", 18, 2.2, 0.0),
    ]
    return [
        ProductSpec(sku, f"LINKAZO {en}", f"LINKAZO {zh}", "LINKAZO", "Hubs & adapters", _d(cost), _d(price), weight,
                    (125, 50, 18), HS_HUB, pop, launch=launch)
        for sku, en, zh, cost, price, weight, pop, launch in rows
    ]


def _screen_protectors() -> list[ProductSpec]:
    out = []
    phones = [  # code, model, popularity, retire
        ("IP15", "iPhone 15", 0.9, 0.7), ("IP15P", "iPhone 15 Pro", 0.8, 0.7), ("IP15PM", "iPhone 15 Pro Max", 0.8, 0.7),
        ("IP16", "iPhone 16", 1.8, None), ("IP16P", "iPhone 16 Pro", 2.0, None), ("IP16PM", "iPhone 16 Pro Max", 2.2, None),
        ("IP17", "iPhone 17", 2.4, None), ("IP17P", "iPhone 17 Pro", 2.6, None), ("IP17PM", "iPhone 17 Pro Max", 2.8, None),
    ]
    for code, model, pop, retire in phones:
        out.append(ProductSpec(f"LK-SP-{code}-2P", f"LINKAZO Tempered Glass Screen Protector for {model}, 2-Pack",
                               f"LINKAZO {model} 钢化玻璃膜 两片装", "LINKAZO", "Screen protectors", _d("3.60"),
                               _d("9.99"), 60, (180, 100, 10), HS_GLASS, pop, retire=retire))
    for code, model, pop in (("IP16P", "iPhone 16 Pro", 0.9), ("IP16PM", "iPhone 16 Pro Max", 1.0),
                             ("IP17P", "iPhone 17 Pro", 1.2), ("IP17PM", "iPhone 17 Pro Max", 1.3)):
        out.append(ProductSpec(f"LK-SP-{code}-PRIV", f"LINKAZO Privacy Screen Protector for {model}, 2-Pack",
                               f"LINKAZO {model} 防窥钢化膜 两片装", "LINKAZO", "Screen protectors", _d("5.40"),
                               _d("12.99"), 60, (180, 100, 10), HS_GLASS, pop))
    out += [
        ProductSpec("LK-SP-S25-2P", "LINKAZO Tempered Glass Screen Protector for Galaxy S25, 2-Pack",
                    "LINKAZO Galaxy S25 钢化玻璃膜 两片装", "LINKAZO", "Screen protectors", _d("3.90"), _d("9.99"), 60,
                    (180, 100, 10), HS_GLASS, 0.9),
        ProductSpec("LK-SP-S25U-2P", "LINKAZO Tempered Glass Screen Protector for Galaxy S25 Ultra, 2-Pack",
                    "LINKAZO Galaxy S25 Ultra 钢化玻璃膜 两片装", "LINKAZO", "Screen protectors", _d("4.50"),
                    _d("11.99"), 60, (180, 100, 10), HS_GLASS, 1.0),
        ProductSpec("LK-LENS-IP17P", "LINKAZO Camera Lens Protector for iPhone 17 Pro / Pro Max",
                    "LINKAZO iPhone 17 Pro / Pro Max 镜头膜", "LINKAZO", "Screen protectors", _d("2.80"), _d("7.99"),
                    25, (120, 80, 10), HS_GLASS, 1.2),
        ProductSpec("LK-SP-IPAD11-PF", "LINKAZO Paper-Feel Screen Protector for iPad 11\"",
                    "LINKAZO iPad 11英寸 类纸膜", "LINKAZO", "Screen protectors", _d("6.20"), _d("13.99"), 90,
                    (280, 200, 10), HS_PLASTIC, 0.9),
    ]
    return out


def _smart_home() -> list[ProductSpec]:
    out = []
    families = [  # code, en, zh, cost, price, weight, popularity, plugs
        ("MINI", "Mini Wi-Fi Smart Plug", "迷你 Wi-Fi 智能插座", "16.00", "11.99", 75, 2.2, ("US", "EU", "UK")),
        ("EM-2P", "Smart Plug with Energy Monitoring, 2-Pack", "电量统计智能插座 两只装", "38.00", "21.99", 170, 1.6, ("US", "EU", "UK")),
        ("MINI-4P", "Mini Wi-Fi Smart Plug, 4-Pack", "迷你 Wi-Fi 智能插座 四只装", "58.00", "29.99", 320, 1.4, ("US", "EU")),
        ("STRIP", "Smart Power Strip, 3 Outlets + 3 USB", "智能排插 3位 + 3 USB", "62.00", "32.99", 480, 1.0, ("US", "EU", "UK")),
    ]
    for code, en, zh, cost, price, weight, pop, plugs in families:
        for plug in plugs:
            en_plug, zh_plug = PLUG_NAMES[plug]
            out.append(ProductSpec(
                f"HQ-PLUG-{code}-{plug}", f"HOMIQ {en}, {en_plug}", f"HOMIQ {zh} {zh_plug}", "HOMIQ", "Smart home",
                _d(cost), _d(price), weight, (70, 60, 60), HS_SMART_PLUG, pop * (1.0 if plug == "US" else 0.75),
                plug=plug,
            ))
    out += [
        ProductSpec("HQ-BULB-E26-2P", "HOMIQ Smart LED Bulb E26, RGBW, 2-Pack", "HOMIQ 智能LED灯泡 E26 两只装",
                    "HOMIQ", "Smart home", _d("24.00"), _d("17.99"), 140, (120, 65, 65), HS_LED, 1.1, plug="US"),
        ProductSpec("HQ-BULB-E27-2P", "HOMIQ Smart LED Bulb E27, RGBW, 2-Pack", "HOMIQ 智能LED灯泡 E27 两只装",
                    "HOMIQ", "Smart home", _d("24.00"), _d("16.99"), 140, (120, 65, 65), HS_LED, 0.9, plug="EU"),
        ProductSpec("HQ-PLUG-OUT-US", "HOMIQ Outdoor Smart Plug, IP44, US plug", "HOMIQ 户外智能插座 IP44 美规",
                    "HOMIQ", "Smart home", _d("30.00"), _d("19.99"), 150, (110, 60, 45), HS_SMART_PLUG, 0.8, plug="US",
                    launch=0.4),
    ]
    return out


def _accessories() -> list[ProductSpec]:
    return [
        ProductSpec("LK-TAG-4P-BK", "LINKAZO Silicone AirTag Holder, 4-Pack, Black", "LINKAZO AirTag 硅胶保护套 四只装 黑色",
                    "LINKAZO", "Accessories", _d("5.00"), _d("9.99"), 45, (100, 80, 20), HS_PLASTIC, 1.3),
        ProductSpec("LK-TAG-4P-MX", "LINKAZO Silicone AirTag Holder, 4-Pack, Mixed Colours",
                    "LINKAZO AirTag 硅胶保护套 四只装 混色", "LINKAZO", "Accessories", _d("5.00"), _d("9.99"), 45,
                    (100, 80, 20), HS_PLASTIC, 1.0),
        ProductSpec("VN-TRAVEL-ADP", "VOLTNEST Universal Travel Adapter with 2 USB-C", "VOLTNEST 全球通用旅行转换插头 双USB-C",
                    "VOLTNEST", "Accessories", _d("32.00"), _d("24.99"), 165, (70, 55, 50), HS_SMART_PLUG, 1.4),
        ProductSpec("LK-POUCH", "LINKAZO Tech Organiser Pouch", "LINKAZO 数码收纳包", "LINKAZO", "Accessories",
                    _d("9.50"), _d("13.99"), 120, (230, 150, 60), HS_BAG, 1.2),
    ]


def _bundles() -> list[ProductSpec]:
    out = []
    for plug in ("US", "EU", "UK"):
        en_plug, zh_plug = PLUG_NAMES[plug]
        out.append(ProductSpec(
            f"KIT-TRAVEL-{plug}", f"VOLTNEST Travel Charging Kit: 65W GaN Charger + 100W Cable + Pouch, {en_plug}",
            f"VOLTNEST 旅行充电套装：65W 氮化镓充电器 + 100W 数据线 + 收纳包 {zh_plug}", "VOLTNEST", "Bundles",
            _d("0"), _d("49.99"), 0, (240, 160, 70), HS_CHARGER, 1.2 if plug == "US" else 0.8, plug=plug,
            components=((f"VN-GAN65-{plug}", 1), ("LK-CC100-2M", 1), ("LK-POUCH", 1)),
        ))
        out.append(ProductSpec(
            f"KIT-IP17P-{plug}", f"iPhone 17 Pro Starter Kit: 20W Charger + USB-C Cable + Screen Protector, {en_plug}",
            f"iPhone 17 Pro 新机套装：20W 充电器 + USB-C 线 + 钢化膜 {zh_plug}", "VOLTNEST", "Bundles", _d("0"),
            _d("24.99"), 0, (200, 120, 40), HS_CHARGER, 1.5 if plug == "US" else 1.0, plug=plug,
            components=((f"VN-GAN20-{plug}", 1), ("LK-CC60-1M-WH", 1), ("LK-SP-IP17P-2P", 1)),
        ))
    out += [
        ProductSpec("KIT-DESK", "LINKAZO Desk Setup Kit: Aluminium Stand + 3-in-1 Wireless Charger",
                    "LINKAZO 桌面套装：铝合金支架 + 三合一无线充", "LINKAZO", "Bundles", _d("0"), _d("54.99"), 0,
                    (220, 160, 80), HS_CHARGER, 0.8, components=(("LK-STD-ALU-GY", 1), ("VN-W3IN1", 1))),
        ProductSpec("KIT-HOME-US", "HOMIQ Smart Home Starter: 2 Smart Plugs + 2 Smart Bulbs, US",
                    "HOMIQ 智能家居入门套装：智能插座×2 + 灯泡×2 美规", "HOMIQ", "Bundles", _d("0"), _d("32.99"), 0,
                    (200, 150, 90), HS_SMART_PLUG, 0.7, plug="US",
                    components=(("HQ-PLUG-MINI-US", 2), ("HQ-BULB-E26-2P", 1))),
        ProductSpec("KIT-HOME-EU", "HOMIQ Smart Home Starter: 2 Smart Plugs + 2 Smart Bulbs, EU",
                    "HOMIQ 智能家居入门套装：智能插座×2 + 灯泡×2 欧规", "HOMIQ", "Bundles", _d("0"), _d("31.99"), 0,
                    (200, 150, 90), HS_SMART_PLUG, 0.5, plug="EU",
                    components=(("HQ-PLUG-MINI-EU", 2), ("HQ-BULB-E27-2P", 1))),
        ProductSpec("KIT-POWER", "VOLTNEST Power Pack: 10000mAh Magnetic Power Bank + 60W Cable",
                    "VOLTNEST 充电宝套装：10000mAh 磁吸充电宝 + 60W 数据线", "VOLTNEST", "Bundles", _d("0"),
                    _d("39.99"), 0, (150, 100, 40), HS_POWER_BANK, 0.9, has_battery=True, is_hazmat=True,
                    components=(("VN-PB10K-MAG-BK", 1), ("LK-CC60-1M-BK", 1))),
    ]
    return out


def demo_catalogue() -> list[ProductSpec]:
    """Every demo SKU, components before the kits that use them. Kits' cost, weight and battery flags are the
    sums of their components' (a kit has no purchase price of its own)."""
    singles = (_chargers() + _cables() + _power_banks() + _stands() + _cases() + _hubs() + _screen_protectors()
               + _smart_home() + _accessories())
    by_sku = {p.sku: p for p in singles}
    kits = []
    for kit in _bundles():
        parts = [(by_sku[sku], qty) for sku, qty in kit.components]
        kits.append(ProductSpec(
            sku=kit.sku, name_en=kit.name_en, name_zh=kit.name_zh, brand=kit.brand, category=kit.category,
            cost_cny=sum((p.cost_cny * q for p, q in parts), Decimal(0)), usd_price=kit.usd_price,
            weight_g=sum(p.weight_g * q for p, q in parts) + 40, dims_mm=kit.dims_mm, hs_code=kit.hs_code,
            popularity=kit.popularity, plug=kit.plug, has_battery=any(p.has_battery for p, _q in parts),
            is_hazmat=any(p.is_hazmat for p, _q in parts), components=kit.components,
            launch=max(p.launch for p, _q in parts), retire=kit.retire,
        ))
    return singles + kits
