"""Where the demo's buyers live: regions, cities and postal-code shapes per country, and the tax rate that applies.

Weights are rough population shares, so most US orders go to California, Texas and Florida as in real exports.
Postal codes follow each country's format (US 5 digits, GB outward + inward code, JP 123-4567, NL 1234 AB, ...).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Place:
    region: str
    city: str
    postal_prefix: str
    weight: float
    #: Sales tax added on top of the price (US states), as a fraction; 0 where VAT is included in prices.
    sales_tax: Decimal = Decimal(0)


# US: state, combined average state + local sales tax rate (%), population (millions), [(city, ZIP3)].
_US = [
    ("CA", "8.85", 39.0, [("Los Angeles", "900"), ("San Diego", "921"), ("San Jose", "951"), ("San Francisco", "941"),
                          ("Sacramento", "958"), ("Irvine", "926")]),
    ("TX", "8.20", 30.5, [("Houston", "770"), ("Dallas", "752"), ("Austin", "787"), ("San Antonio", "782"),
                          ("Plano", "750")]),
    ("FL", "7.00", 22.6, [("Miami", "331"), ("Orlando", "328"), ("Tampa", "336"), ("Jacksonville", "322")]),
    ("NY", "8.53", 19.6, [("New York", "100"), ("Brooklyn", "112"), ("Buffalo", "142"), ("Rochester", "146")]),
    ("PA", "6.34", 13.0, [("Philadelphia", "191"), ("Pittsburgh", "152"), ("Allentown", "181")]),
    ("IL", "8.86", 12.5, [("Chicago", "606"), ("Naperville", "605"), ("Springfield", "627")]),
    ("OH", "7.24", 11.8, [("Columbus", "432"), ("Cleveland", "441"), ("Cincinnati", "452")]),
    ("GA", "7.38", 11.0, [("Atlanta", "303"), ("Savannah", "314")]),
    ("NC", "7.00", 10.8, [("Charlotte", "282"), ("Raleigh", "276")]),
    ("MI", "6.00", 10.0, [("Detroit", "482"), ("Grand Rapids", "495")]),
    ("NJ", "6.60", 9.3, [("Newark", "071"), ("Jersey City", "073")]),
    ("VA", "5.77", 8.7, [("Virginia Beach", "234"), ("Richmond", "232"), ("Arlington", "222")]),
    ("WA", "9.38", 7.8, [("Seattle", "981"), ("Bellevue", "980"), ("Spokane", "992")]),
    ("AZ", "8.38", 7.4, [("Phoenix", "850"), ("Tucson", "857")]),
    ("TN", "9.55", 7.1, [("Nashville", "372"), ("Memphis", "381")]),
    ("MA", "6.25", 7.0, [("Boston", "021"), ("Worcester", "016")]),
    ("IN", "7.00", 6.9, [("Indianapolis", "462")]),
    ("MO", "8.39", 6.2, [("St. Louis", "631"), ("Kansas City", "641")]),
    ("MD", "6.00", 6.2, [("Baltimore", "212")]),
    ("WI", "5.43", 5.9, [("Milwaukee", "532"), ("Madison", "537")]),
    ("CO", "7.81", 5.9, [("Denver", "802"), ("Colorado Springs", "809")]),
    ("MN", "8.04", 5.8, [("Minneapolis", "554"), ("Saint Paul", "551")]),
    ("SC", "7.50", 5.4, [("Charleston", "294"), ("Columbia", "292")]),
    ("AL", "9.29", 5.1, [("Birmingham", "352")]),
    ("LA", "9.56", 4.6, [("New Orleans", "701")]),
    ("KY", "6.00", 4.5, [("Louisville", "402")]),
    ("OR", "0", 4.3, [("Portland", "972"), ("Eugene", "974")]),
    ("OK", "8.99", 4.0, [("Oklahoma City", "731"), ("Tulsa", "741")]),
    ("CT", "6.35", 3.6, [("Hartford", "061")]),
    ("UT", "7.25", 3.4, [("Salt Lake City", "841")]),
    ("NV", "8.24", 3.2, [("Las Vegas", "891"), ("Reno", "895")]),
    ("NH", "0", 1.4, [("Manchester", "031")]),
    ("DE", "0", 1.0, [("Wilmington", "198")]),
    ("MT", "0", 1.1, [("Billings", "591")]),
]

# Other countries: region, population weight, [(city, postal prefix)]; the postal shape is in _POSTAL.
_OTHERS: dict[str, list[tuple[str, float, list[tuple[str, str]]]]] = {
    "DE": [
        ("Nordrhein-Westfalen", 18.0, [("Köln", "50"), ("Düsseldorf", "40"), ("Dortmund", "44"), ("Essen", "45")]),
        ("Bayern", 13.2, [("München", "80"), ("Nürnberg", "90"), ("Augsburg", "86")]),
        ("Baden-Württemberg", 11.2, [("Stuttgart", "70"), ("Karlsruhe", "76"), ("Mannheim", "68")]),
        ("Niedersachsen", 8.1, [("Hannover", "30"), ("Braunschweig", "38")]),
        ("Hessen", 6.3, [("Frankfurt am Main", "60"), ("Wiesbaden", "65")]),
        ("Sachsen", 4.1, [("Leipzig", "04"), ("Dresden", "01")]),
        ("Rheinland-Pfalz", 4.1, [("Mainz", "55"), ("Koblenz", "56")]),
        ("Berlin", 3.8, [("Berlin", "10"), ("Berlin", "12"), ("Berlin", "13")]),
        ("Schleswig-Holstein", 2.9, [("Kiel", "24"), ("Lübeck", "23")]),
        ("Brandenburg", 2.6, [("Potsdam", "14")]),
        ("Sachsen-Anhalt", 2.2, [("Magdeburg", "39"), ("Halle (Saale)", "06")]),
        ("Thüringen", 2.1, [("Erfurt", "99"), ("Jena", "07")]),
        ("Hamburg", 1.9, [("Hamburg", "20"), ("Hamburg", "22")]),
        ("Mecklenburg-Vorpommern", 1.6, [("Rostock", "18")]),
        ("Saarland", 1.0, [("Saarbrücken", "66")]),
        ("Bremen", 0.7, [("Bremen", "28")]),
    ],
    "AT": [("Wien", 2.0, [("Wien", "10"), ("Wien", "11"), ("Wien", "12")]), ("Steiermark", 1.2, [("Graz", "80")]),
           ("Oberösterreich", 1.5, [("Linz", "40")]), ("Salzburg", 0.6, [("Salzburg", "50")]),
           ("Tirol", 0.8, [("Innsbruck", "60")])],
    "FR": [("Île-de-France", 12.0, [("Paris", "750"), ("Boulogne-Billancourt", "921")]),
           ("Auvergne-Rhône-Alpes", 8.0, [("Lyon", "690"), ("Grenoble", "380")]),
           ("Provence-Alpes-Côte d'Azur", 5.0, [("Marseille", "130"), ("Nice", "060")]),
           ("Occitanie", 6.0, [("Toulouse", "310"), ("Montpellier", "340")]),
           ("Hauts-de-France", 6.0, [("Lille", "590")]), ("Nouvelle-Aquitaine", 6.0, [("Bordeaux", "330")])],
    "NL": [("Noord-Holland", 2.9, [("Amsterdam", "10"), ("Haarlem", "20")]),
           ("Zuid-Holland", 3.8, [("Rotterdam", "30"), ("Den Haag", "25")]),
           ("Utrecht", 1.4, [("Utrecht", "35")]), ("Noord-Brabant", 2.6, [("Eindhoven", "56")])],
    "BE": [("Bruxelles-Capitale", 1.2, [("Bruxelles", "10")]), ("Antwerpen", 1.9, [("Antwerpen", "20")]),
           ("Oost-Vlaanderen", 1.5, [("Gent", "90")]), ("Liège", 1.1, [("Liège", "40")])],
    "IT": [("Lombardia", 10.0, [("Milano", "201"), ("Bergamo", "241")]), ("Lazio", 5.7, [("Roma", "001")]),
           ("Piemonte", 4.2, [("Torino", "101")]), ("Campania", 5.6, [("Napoli", "801")]),
           ("Emilia-Romagna", 4.4, [("Bologna", "401")])],
    "ES": [("Madrid", 6.8, [("Madrid", "280")]), ("Cataluña", 7.8, [("Barcelona", "080")]),
           ("Comunidad Valenciana", 5.1, [("Valencia", "460")]), ("Andalucía", 8.5, [("Sevilla", "410"), ("Málaga", "290")])],
    "PL": [("mazowieckie", 5.5, [("Warszawa", "00"), ("Warszawa", "02")]), ("małopolskie", 3.4, [("Kraków", "30")]),
           ("dolnośląskie", 2.9, [("Wrocław", "50")]), ("wielkopolskie", 3.5, [("Poznań", "60")]),
           ("pomorskie", 2.3, [("Gdańsk", "80")])],
    "GB": [("Greater London", 9.0, [("London", "SW1A"), ("London", "E1"), ("London", "N1"), ("London", "SE1"),
                                     ("London", "W2"), ("London", "NW3"), ("London", "EC1V")]),
           ("Greater Manchester", 2.9, [("Manchester", "M1"), ("Manchester", "M20"), ("Salford", "M5")]),
           ("West Midlands", 2.9, [("Birmingham", "B1"), ("Birmingham", "B15"), ("Coventry", "CV1")]),
           ("West Yorkshire", 2.3, [("Leeds", "LS1"), ("Leeds", "LS6"), ("Bradford", "BD1")]),
           ("Glasgow City", 0.6, [("Glasgow", "G1"), ("Glasgow", "G12")]),
           ("City of Edinburgh", 0.5, [("Edinburgh", "EH1"), ("Edinburgh", "EH3")]),
           ("Bristol", 0.5, [("Bristol", "BS1"), ("Bristol", "BS8")]),
           ("Merseyside", 1.4, [("Liverpool", "L1"), ("Liverpool", "L17")]),
           ("Cardiff", 0.4, [("Cardiff", "CF10")]), ("Hampshire", 1.4, [("Southampton", "SO14"), ("Winchester", "SO23")]),
           ("Kent", 1.6, [("Canterbury", "CT1"), ("Maidstone", "ME14")]), ("County Antrim", 0.6, [("Belfast", "BT1")])],
    "IE": [("Dublin", 1.4, [("Dublin", "D02"), ("Dublin", "D04"), ("Dublin", "D08")]), ("Cork", 0.6, [("Cork", "T12")]),
           ("Galway", 0.3, [("Galway", "H91")])],
    "JP": [("東京都", 14.0, [("新宿区", "160"), ("渋谷区", "150"), ("世田谷区", "154"), ("港区", "105")]),
           ("神奈川県", 9.2, [("横浜市", "220"), ("川崎市", "210")]), ("大阪府", 8.8, [("大阪市", "530"), ("堺市", "590")]),
           ("愛知県", 7.5, [("名古屋市", "450")]), ("埼玉県", 7.3, [("さいたま市", "330")]),
           ("千葉県", 6.3, [("千葉市", "260"), ("船橋市", "273")]), ("兵庫県", 5.4, [("神戸市", "650")]),
           ("北海道", 5.1, [("札幌市", "060")]), ("福岡県", 5.1, [("福岡市", "810")]), ("京都府", 2.5, [("京都市", "600")])],
    "SG": [("", 1.0, [("Singapore", p) for p in ("01", "05", "08", "10", "15", "16", "18", "23", "31", "32", "38",
                                                 "40", "46", "50", "52", "53", "56", "60", "64", "65", "68", "73",
                                                 "75", "76", "82")])],
    "MY": [("Selangor", 7.0, [("Shah Alam", "40"), ("Petaling Jaya", "46"), ("Subang Jaya", "47"), ("Klang", "41")]),
           ("Kuala Lumpur", 2.0, [("Kuala Lumpur", "50"), ("Kuala Lumpur", "55"), ("Kuala Lumpur", "58")]),
           ("Johor", 4.0, [("Johor Bahru", "80"), ("Johor Bahru", "81"), ("Batu Pahat", "83")]),
           ("Pulau Pinang", 1.8, [("George Town", "10"), ("Bayan Lepas", "11")]), ("Perak", 2.5, [("Ipoh", "30")]),
           ("Sabah", 3.4, [("Kota Kinabalu", "88")]), ("Sarawak", 2.5, [("Kuching", "93")]),
           ("Negeri Sembilan", 1.2, [("Seremban", "70")]), ("Melaka", 1.0, [("Melaka", "75")]),
           ("Kedah", 2.2, [("Alor Setar", "05")])],
    "CA": [("ON", 15.0, [("Toronto", "M5V"), ("Toronto", "M4C"), ("Ottawa", "K1P"), ("Mississauga", "L5B")]),
           ("QC", 8.7, [("Montréal", "H2X"), ("Montréal", "H3B"), ("Québec", "G1R")]),
           ("BC", 5.4, [("Vancouver", "V6B"), ("Vancouver", "V5K"), ("Victoria", "V8W")]),
           ("AB", 4.6, [("Calgary", "T2P"), ("Edmonton", "T5J")])],
    "AU": [("NSW", 8.2, [("Sydney", "20"), ("Newcastle", "23")]), ("VIC", 6.7, [("Melbourne", "30")]),
           ("QLD", 5.4, [("Brisbane", "40"), ("Gold Coast", "42")]), ("WA", 2.9, [("Perth", "60")]),
           ("SA", 1.8, [("Adelaide", "50")])],
}

#: VAT / GST / consumption tax included in consumer prices, by ship-to country.
INCLUDED_TAX = {
    "DE": Decimal("0.19"), "AT": Decimal("0.20"), "FR": Decimal("0.20"), "NL": Decimal("0.21"),
    "BE": Decimal("0.21"), "IT": Decimal("0.22"), "ES": Decimal("0.21"), "PL": Decimal("0.23"),
    "GB": Decimal("0.20"), "IE": Decimal("0.23"), "JP": Decimal("0.10"), "SG": Decimal("0.09"),
    "MY": Decimal("0.10"),
}

_DIGITS = "0123456789"
_GB_INWARD = "ABDEFGHJLNPQRSTUWXYZ"
_NL_LETTERS = "ABCDEFGHJKLMNPRSTVWXZ"


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_DIGITS) for _ in range(n))


def postal_code(country: str, prefix: str, rng: random.Random) -> str:
    """A plausible postal code for ``country`` starting with ``prefix`` (a ZIP3, PLZ area, GB outward code...)."""
    if country == "GB":
        return f"{prefix} {rng.randint(1, 9)}{rng.choice(_GB_INWARD)}{rng.choice(_GB_INWARD)}"
    if country == "CA":
        return f"{prefix} {rng.randint(1, 9)}{rng.choice('ABCEGHJKLMNPRSTVXY')}{rng.randint(0, 9)}"
    if country == "IE":
        return f"{prefix} {rng.choice('ACDEFHKNPRTVWXY')}{_digits(rng, 2)}{rng.choice('ACDEFHKNPRTVWXY')}"
    if country == "NL":
        return f"{prefix}{_digits(rng, 2)} {rng.choice(_NL_LETTERS)}{rng.choice(_NL_LETTERS)}"
    if country == "JP":
        return f"{prefix}-{_digits(rng, 4)}"
    if country == "PL":
        return f"{prefix}-{_digits(rng, 3)}"
    width = {"US": 5, "DE": 5, "FR": 5, "IT": 5, "ES": 5, "MY": 5, "SG": 6, "AT": 4, "BE": 4, "AU": 4}[country]
    return prefix + _digits(rng, width - len(prefix))


def places(country: str) -> list[Place]:
    """Every (region, city) of ``country`` with its weight; US places carry their sales-tax rate."""
    out = []
    if country == "US":
        for state, rate, population, cities in _US:
            for city, zip3 in cities:
                out.append(Place(state, city, zip3, population / len(cities), Decimal(rate) / 100))
        return out
    for region, population, cities in _OTHERS[country]:
        for city, prefix in cities:
            out.append(Place(region, city, prefix, population / len(cities)))
    return out
