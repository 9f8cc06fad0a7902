#!/usr/bin/env python3
"""Generate Sources/DatelineExtraction/Resources/actors.json, the actor gazetteer.

States: ISO 3166-1 alpha-3 codes, short names and official names from the Debian `iso-codes`
package (/usr/share/iso-codes/json/iso_3166-1.json; data licensed LGPL-2.1+, (c) the iso-codes
maintainers, https://salsa.debian.org/iso-codes-team/iso-codes). Names in "X, Y of" inverted form
are not used as aliases (they never occur so in running text); official and common names are.

Everything else (common names, demonyms, capitals, organisations and blocs, context lists) is
curated below for this project; grow it here and re-run:  python3 tools/make-actors.py
"""
import json
import os
import subprocess
import sys

ISO = "/usr/share/iso-codes/json/iso_3166-1.json"
OUT = os.path.join(os.path.dirname(__file__), "..", "Sources", "DatelineExtraction", "Resources", "actors.json")

# code: (extra names, demonyms (adjective and plural), capitals as metonyms)
STATES = {
    "AFG": (["Afghanistan"], ["Afghan", "Afghans"], ["Kabul"]),
    "ALB": ([], ["Albanian", "Albanians"], ["Tirana"]),
    "DZA": ([], ["Algerian", "Algerians"], ["Algiers"]),
    "AGO": ([], ["Angolan", "Angolans"], ["Luanda"]),
    "ARG": ([], ["Argentine", "Argentinian", "Argentines", "Argentinians"], ["Buenos Aires"]),
    "ARM": ([], ["Armenian", "Armenians"], ["Yerevan"]),
    "AUS": ([], ["Australian", "Australians"], ["Canberra"]),
    "AUT": ([], ["Austrian", "Austrians"], ["Vienna"]),
    "AZE": ([], ["Azerbaijani", "Azerbaijanis", "Azeri", "Azeris"], ["Baku"]),
    "BHR": ([], ["Bahraini", "Bahrainis"], ["Manama"]),
    "BGD": ([], ["Bangladeshi", "Bangladeshis"], ["Dhaka"]),
    "BLR": (["Belarus", "Byelorussia"], ["Belarusian", "Belarusians", "Belarussian", "Belarussians"], ["Minsk"]),
    "BEL": ([], ["Belgian", "Belgians"], []),
    "BOL": (["Bolivia"], ["Bolivian", "Bolivians"], ["La Paz"]),
    "BIH": (["Bosnia", "Bosnia-Herzegovina"], ["Bosnian", "Bosnians"], ["Sarajevo"]),
    "BRA": ([], ["Brazilian", "Brazilians"], ["Brasilia"]),
    "BGR": ([], ["Bulgarian", "Bulgarians"], []),
    "KHM": ([], ["Cambodian", "Cambodians"], ["Phnom Penh"]),
    "CAN": ([], ["Canadian", "Canadians"], ["Ottawa"]),
    "CHL": ([], ["Chilean", "Chileans"], ["Santiago"]),
    "CHN": (["People's Republic of China", "PRC", "mainland China"], ["Chinese"], ["Beijing", "Peking"]),
    "COL": ([], ["Colombian", "Colombians"], ["Bogota"]),
    "COD": (["Democratic Republic of Congo", "Democratic Republic of the Congo", "DR Congo", "DRC"], ["Congolese"], ["Kinshasa"]),
    "HRV": ([], ["Croatian", "Croatians", "Croat", "Croats"], ["Zagreb"]),
    "CUB": ([], ["Cuban", "Cubans"], ["Havana"]),
    "CYP": ([], ["Cypriot", "Cypriots"], ["Nicosia"]),
    "CZE": (["Czech Republic"], ["Czech", "Czechs"], ["Prague"]),
    "DNK": ([], ["Danish", "Danes"], ["Copenhagen"]),
    "EGY": ([], ["Egyptian", "Egyptians"], ["Cairo"]),
    "EST": ([], ["Estonian", "Estonians"], ["Tallinn"]),
    "ETH": ([], ["Ethiopian", "Ethiopians"], ["Addis Ababa"]),
    "FIN": ([], ["Finnish", "Finns"], ["Helsinki"]),
    "FRA": ([], ["French"], ["Paris"]),
    "GEO": ([], ["Georgian", "Georgians"], ["Tbilisi"]),
    "DEU": (["West Germany", "East Germany"], ["German", "Germans", "West German", "East German"], ["Berlin", "Bonn"]),
    "GBR": (["Britain", "Great Britain", "United Kingdom", "UK", "U.K.", "England", "Scotland", "Wales", "Northern Ireland"],
            ["British", "Briton", "Britons", "English", "Scottish", "Welsh"], ["London"]),
    "GRC": ([], ["Greek", "Greeks"], ["Athens"]),
    "HUN": ([], ["Hungarian", "Hungarians"], ["Budapest"]),
    "ISL": ([], ["Icelandic", "Icelanders"], ["Reykjavik"]),
    "IND": ([], ["Indian", "Indians"], ["New Delhi"]),
    "IDN": ([], ["Indonesian", "Indonesians"], ["Jakarta"]),
    "IRN": (["Iran"], ["Iranian", "Iranians"], ["Tehran"]),
    "IRQ": ([], ["Iraqi", "Iraqis"], ["Baghdad"]),
    "IRL": ([], ["Irish"], ["Dublin"]),
    "ISR": ([], ["Israeli", "Israelis"], ["Jerusalem"]),
    "ITA": ([], ["Italian", "Italians"], ["Rome"]),
    "JPN": ([], ["Japanese"], ["Tokyo"]),
    "JOR": ([], ["Jordanian", "Jordanians"], ["Amman"]),
    "KAZ": ([], ["Kazakh", "Kazakhs", "Kazakhstani", "Kazakhstanis"], ["Astana", "Nur-Sultan"]),
    "KEN": ([], ["Kenyan", "Kenyans"], ["Nairobi"]),
    "PRK": (["North Korea", "DPRK"], ["North Korean", "North Koreans"], ["Pyongyang"]),
    "KOR": (["South Korea"], ["South Korean", "South Koreans"], ["Seoul"]),
    "XKX": (["Kosovo"], ["Kosovar", "Kosovars"], ["Pristina"]),
    "KWT": ([], ["Kuwaiti", "Kuwaitis"], []),
    "KGZ": (["Kyrgyzstan"], ["Kyrgyz"], ["Bishkek"]),
    "LVA": ([], ["Latvian", "Latvians"], ["Riga"]),
    "LBN": ([], ["Lebanese"], ["Beirut"]),
    "LBY": ([], ["Libyan", "Libyans"], ["Tripoli"]),
    "LTU": ([], ["Lithuanian", "Lithuanians"], ["Vilnius"]),
    "LUX": ([], ["Luxembourgish"], []),
    "MYS": ([], ["Malaysian", "Malaysians"], ["Kuala Lumpur"]),
    "MEX": ([], ["Mexican", "Mexicans"], ["Mexico City"]),
    "MDA": (["Moldova"], ["Moldovan", "Moldovans"], ["Chisinau"]),
    "MNG": ([], ["Mongolian", "Mongolians"], ["Ulaanbaatar"]),
    "MNE": ([], ["Montenegrin", "Montenegrins"], ["Podgorica"]),
    "MAR": ([], ["Moroccan", "Moroccans"], ["Rabat"]),
    "NLD": (["Holland", "the Netherlands"], ["Dutch"], ["Amsterdam", "The Hague"]),
    "NZL": ([], ["New Zealander", "New Zealanders"], []),
    "NGA": ([], ["Nigerian", "Nigerians"], ["Abuja"]),
    "MKD": (["North Macedonia", "Macedonia"], ["Macedonian", "Macedonians"], ["Skopje"]),
    "NOR": ([], ["Norwegian", "Norwegians"], ["Oslo"]),
    "OMN": ([], ["Omani", "Omanis"], ["Muscat"]),
    "PAK": ([], ["Pakistani", "Pakistanis"], ["Islamabad"]),
    "PSE": (["Palestine", "Palestinian territories"], ["Palestinian", "Palestinians"], ["Ramallah"]),
    "PER": ([], ["Peruvian", "Peruvians"], ["Lima"]),
    "PHL": ([], ["Filipino", "Filipinos", "Philippine"], ["Manila"]),
    "POL": ([], ["Polish", "Poles"], ["Warsaw"]),
    "PRT": ([], ["Portuguese"], ["Lisbon"]),
    "QAT": ([], ["Qatari", "Qataris"], ["Doha"]),
    "ROU": ([], ["Romanian", "Romanians"], ["Bucharest"]),
    "RUS": (["Russia", "Russian Federation"], ["Russian", "Russians"], ["Moscow", "the Kremlin", "Kremlin"]),
    # The Soviet Union (SUN, the withdrawn ISO 3166-3 code) for reporting before 1992: its
    # demonym too ("Soviet ships"), but not Moscow, which names Russia.
    "SUN": (["Soviet Union", "Union of Soviet Socialist Republics", "USSR", "U.S.S.R."], ["Soviet", "Soviets"], []),
    "SAU": ([], ["Saudi", "Saudis", "Saudi Arabian"], ["Riyadh"]),
    "SRB": ([], ["Serbian", "Serbians", "Serb", "Serbs"], ["Belgrade"]),
    "SGP": ([], ["Singaporean", "Singaporeans"], []),
    "SVK": ([], ["Slovak", "Slovaks", "Slovakian"], ["Bratislava"]),
    "SVN": ([], ["Slovenian", "Slovenians", "Slovene", "Slovenes"], ["Ljubljana"]),
    "ZAF": ([], ["South African", "South Africans"], ["Pretoria"]),
    "ESP": ([], ["Spanish", "Spaniards"], ["Madrid"]),
    "LKA": ([], ["Sri Lankan", "Sri Lankans"], ["Colombo"]),
    "SDN": ([], ["Sudanese"], ["Khartoum"]),
    "SWE": ([], ["Swedish", "Swedes"], ["Stockholm"]),
    "CHE": ([], ["Swiss"], ["Bern"]),
    "SYR": (["Syria"], ["Syrian", "Syrians"], ["Damascus"]),
    "TWN": (["Taiwan"], ["Taiwanese"], ["Taipei"]),
    "TJK": ([], ["Tajik", "Tajiks"], ["Dushanbe"]),
    "THA": ([], ["Thai"], ["Bangkok"]),
    "TUN": ([], ["Tunisian", "Tunisians"], ["Tunis"]),
    "TUR": (["Turkey", "Türkiye"], ["Turkish", "Turks"], ["Ankara"]),
    "TKM": ([], ["Turkmen"], ["Ashgabat"]),
    "UKR": (["Ukraine"], ["Ukrainian", "Ukrainians"], ["Kyiv", "Kiev"]),
    "ARE": (["UAE", "Emirates"], ["Emirati", "Emiratis"], ["Abu Dhabi"]),
    "USA": (["United States", "United States of America", "US", "U.S.", "USA", "U.S.A.", "America"],
            ["American", "Americans"], ["Washington", "the White House", "White House", "the Pentagon", "Pentagon"]),
    "UZB": ([], ["Uzbek", "Uzbeks"], ["Tashkent"]),
    "VEN": (["Venezuela"], ["Venezuelan", "Venezuelans"], ["Caracas"]),
    "VNM": (["Vietnam"], ["Vietnamese"], ["Hanoi"]),
    "YEM": ([], ["Yemeni", "Yemenis"], ["Sanaa"]),
}

# Organisations and blocs: code, kind, names, acronyms (matched case-sensitively).
ORGS = [
    ("NATO", "igo", ["North Atlantic Treaty Organization", "North Atlantic Treaty Organisation", "North Atlantic Alliance",
                     "Atlantic alliance", "transatlantic alliance"], ["NATO", "Nato", "N.A.T.O."]),
    ("EU", "igo", ["European Union", "European Commission", "European Council", "European Community", "European Communities",
                   "European Economic Community"], ["EU", "E.U.", "EC", "EEC"]),
    ("UN", "igo", ["United Nations", "UN Security Council", "United Nations Security Council", "Security Council",
                   "UN General Assembly"], ["UN", "U.N."]),
    ("OSCE", "igo", ["Organization for Security and Cooperation in Europe", "Organization for Security and Co-operation in Europe",
                     "Organisation for Security and Cooperation in Europe", "Organisation for Security and Co-operation in Europe"], ["OSCE"]),
    ("G7", "bloc", ["Group of Seven"], ["G7", "G-7"]),
    ("G20", "bloc", ["Group of 20", "Group of Twenty"], ["G20", "G-20"]),
    ("IAEA", "igo", ["International Atomic Energy Agency"], ["IAEA"]),
    ("IMF", "igo", ["International Monetary Fund"], ["IMF"]),
    ("WTO", "igo", ["World Trade Organization", "World Trade Organisation"], ["WTO"]),
    ("OPEC", "igo", ["Organization of the Petroleum Exporting Countries", "Organization of Petroleum Exporting Countries"], ["OPEC", "Opec"]),
    ("CSTO", "igo", ["Collective Security Treaty Organization", "Collective Security Treaty Organisation"], ["CSTO"]),
    ("CIS", "igo", ["Commonwealth of Independent States"], ["CIS"]),
    ("ASEAN", "igo", ["Association of Southeast Asian Nations"], ["ASEAN", "Asean"]),
    ("AU", "igo", ["African Union"], []),
    ("ARL", "igo", ["Arab League", "League of Arab States"], []),
    ("WST", "bloc", ["the West", "Western partners", "Western countries", "Western nations", "Western allies", "Western powers",
                     "Western governments", "Western leaders", "Western officials", "Western capitals"], []),
]

# Aliases that denote an actor only while it is in play (named elsewhere in the article).
CONTEXTUAL = [
    ("NATO", ["the alliance", "the military alliance", "the navy alliance", "the army alliance", "the defence alliance",
              "the defense alliance", "the Western alliance", "the western alliance", "the security alliance",
              "the Western military alliance", "the US-led military alliance", "the US-led alliance",
              "the military bloc", "the navy bloc"]),
    ("EU", ["the bloc", "the 27-nation bloc", "the 27-member bloc", "the European bloc"]),
]

# Capitals that stand for an organisation: the organisation in play wins, else the first listed.
ORG_CAPITALS = [("Brussels", ["EU", "NATO"])]

# Phrases that contain an actor name but denote none (longest match wins over the name).
BLOCKERS = [
    # The Soviet past in later reporting, not the Soviet Union acting ("two former Soviet republics").
    "former Soviet", "ex-Soviet", "post-Soviet", "Soviet-era", "Soviet era", "Soviet times", "Soviet republic",
    "Soviet republics", "Soviet-made", "Soviet-designed", "Soviet-built", "Soviet-style",
    "Latin America", "South America", "North America", "Central America", "the Americas", "Latin American",
    "South American", "North American", "Central American", "Native American", "Native Americans", "American Express",
    "American Samoa", "New Guinea", "New Jersey", "New Mexico", "New York", "New England", "New South Wales",
    "West Bank", "West Africa", "West Virginia", "West Coast", "West Indies", "West Point", "West Texas", "West Berlin",
    "Washington state", "Washington State", "George Washington", "Indian Ocean", "Indian Ocean", "American Indian",
    "Paris Club", "Turkish lira", "Russian roulette", "French fries", "Chinese wall", "Dutch auction",
    "Black Sea", "Persian Gulf", "Arabian Sea", "East China Sea", "South China Sea", "Georgia Pacific",
    "Jordan Valley", "Jersey City", "Moscow time", "Kyiv time",
]

# A name followed by one of these (capitalised) is part of a document, venue or company name.
NON_ACTOR_HEADS = [
    "Declaration", "Declarations", "Agreement", "Agreements", "Accord", "Accords", "Protocol", "Protocols", "Memorandum",
    "Convention", "Conventions", "Treaty", "Charter", "Act", "Format", "Process", "Communique", "Statement",
    "Times", "Post", "Journal", "Herald", "Tribune", "Telegraph", "Independent", "Gazette", "Daily", "News", "Review",
    "Exchange", "Stock", "Airlines", "Airways", "Airport", "University", "Olympics", "Games", "Marathon", "Club",
    "Bank", "Street", "Avenue", "Square", "Region", "Oblast", "Province", "County", "Express", "Dynamo", "Spartak",
]

# After these, a capital is a place, not an actor ("journalists in Moscow").
LOCATIVES = ["in", "at", "near", "from", "outside", "around", "across", "into", "inside", "via", "toward", "towards",
             "through", "throughout", "visit", "visited", "visiting", "arrived", "reached", "left", "leaving", "over"]
# "to" makes a capital a place only after a word of motion ("a trip to Moscow", "flew to Kyiv").
MOTION_BEFORE_TO = ["trip", "trips", "visit", "visits", "travel", "travels", "travelled", "traveled", "travelling",
                    "traveling", "flew", "fly", "flies", "flying", "flight", "flights", "went", "go", "goes", "going",
                    "came", "come", "comes", "coming", "returned", "return", "returning", "moved", "way", "route",
                    "road", "journey", "headed", "heading", "sent", "back", "arrival", "delegation"]
# After these, a capital is a place too ("Moscow-based", "Kyiv time" is blocked above).
PLACE_AFTER = ["based", "born", "area", "region", "suburb", "suburbs", "outskirts", "streets", "residents", "airport",
               "metro", "subway", "mayor", "city"]


def iso_version():
    try:
        return subprocess.check_output(["dpkg-query", "-W", "-f=${Version}", "iso-codes"], text=True).strip()
    except Exception:
        return "unknown"


def main():
    iso = json.load(open(ISO, encoding="utf-8"))["3166-1"]
    actors = []
    seen = set()
    for e in iso:
        code = e["alpha_3"]
        names = []
        for key in ("name", "common_name", "official_name"):
            n = e.get(key)
            if n and "," not in n and "(" not in n:
                n = n[4:] if n.startswith("the ") else n
                if n not in names:
                    names.append(n)
        extra, demonyms, capitals = STATES.get(code, ([], [], []))
        acronyms = [n for n in extra if n.replace(".", "").isupper() and len(n.replace(".", "")) <= 5]
        names += [n for n in extra if n not in acronyms and n not in names]
        display = e.get("common_name") or (extra[0] if extra else e["name"])
        actors.append({"code": code, "kind": "state", "name": display, "names": names, "acronyms": acronyms,
                       "demonyms": demonyms, "capitals": capitals, "source": "iso-codes"})
        seen.add(code)
    for code, (extra, demonyms, capitals) in STATES.items():
        if code not in seen:  # e.g. XKX (Kosovo, user-assigned code, not in ISO 3166-1)
            acronyms = [n for n in extra if n.replace(".", "").isupper()]
            actors.append({"code": code, "kind": "state", "name": extra[0], "names": [n for n in extra if n not in acronyms],
                           "acronyms": acronyms, "demonyms": demonyms, "capitals": capitals, "source": "curated"})
    for code, kind, names, acronyms in ORGS:
        actors.append({"code": code, "kind": kind, "name": names[0], "names": names, "acronyms": acronyms,
                       "demonyms": [], "capitals": [], "source": "curated"})
    out = {
        "provenance": {
            "states": f"ISO 3166-1 alpha-3 codes and names from Debian iso-codes {iso_version()} "
                      "(/usr/share/iso-codes/json/iso_3166-1.json, https://salsa.debian.org/iso-codes-team/iso-codes), "
                      "licensed LGPL-2.1-or-later; names in inverted 'X, Y of' form omitted.",
            "curated": "Common names, demonyms, capitals, organisations, blocs and context lists curated for Dateline "
                       "in tools/make-actors.py. SUN (USSR) is the withdrawn ISO 3166-3 code; XKX (Kosovo) a user-assigned "
                       "code; WST stands for 'the West'.",
            "generated_by": "tools/make-actors.py",
        },
        "actors": actors,
        "contextual": [{"code": c, "aliases": a} for c, a in CONTEXTUAL],
        "org_capitals": [{"name": n, "codes": c} for n, c in ORG_CAPITALS],
        "blockers": sorted(set(BLOCKERS)),
        "non_actor_heads": NON_ACTOR_HEADS,
        "locatives": LOCATIVES,
        "motion_before_to": MOTION_BEFORE_TO,
        "place_after": PLACE_AFTER,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {len(actors)} actors to {os.path.normpath(OUT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
