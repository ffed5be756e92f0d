"""Tajik and Russian names of the places loaded from geoBoundaries (English names).

The sources give English names only. These renderings were written by the team and should be
checked by a Tajik and a Russian speaker (see ``data/ATTRIBUTION.md``). Where a district has
been renamed since the 2017 boundary layer, the English name stays the layer's and the Tajik
and Russian names are the old ones too, so that the three agree; the new name is noted.
"""

from __future__ import annotations

COUNTRY = ("TJ", "Тоҷикистон", "Таджикистан", "Tajikistan")

# ISO 3166-2 code -> (tg, ru, en).
REGIONS: dict[str, tuple[str, str, str]] = {
    "TJ-SU": ("Вилояти Суғд", "Согдийская область", "Sughd Region"),
    "TJ-KT": ("Вилояти Хатлон", "Хатлонская область", "Khatlon Region"),
    "TJ-GB": (
        "Вилояти Мухтори Кӯҳистони Бадахшон",
        "Горно-Бадахшанская автономная область",
        "Gorno-Badakhshan Autonomous Region",
    ),
    "TJ-RA": (
        "Ноҳияҳои тобеи ҷумҳурӣ",
        "Районы республиканского подчинения",
        "Districts of Republican Subordination",
    ),
    "TJ-DU": ("Душанбе", "Душанбе", "Dushanbe"),
}

# geoBoundaries English name (without " District") -> (tg, ru).
DISTRICTS: dict[str, tuple[str, str]] = {
    # Gorno-Badakhshan
    "Darvoz": ("Дарвоз", "Дарваз"),
    "Ishkoshim": ("Ишкошим", "Ишкашим"),
    "Murghob": ("Мурғоб", "Мургаб"),
    "Roshtqal'a": ("Роштқалъа", "Рошткала"),
    "Rushon": ("Рӯшон", "Рушан"),
    "Shughnon": ("Шуғнон", "Шугнан"),
    "Vanj": ("Ванҷ", "Ванч"),
    # Khatlon
    "Baljuvon": ("Балҷувон", "Бальджуван"),
    "Bokhtar": ("Бохтар", "Бохтар"),
    "Danghara": ("Данғара", "Дангара"),
    "Dzhami": ("Ҷомӣ", "Джами"),  # now Abdurahmoni Jomi
    "Farkhor": ("Фархор", "Фархор"),
    "Hamadoni": ("Ҳамадонӣ", "Хамадони"),
    "Jilikul": ("Ҷиликӯл", "Джиликуль"),  # now Dusti
    "Khovaling": ("Ховалинг", "Ховалинг"),
    "Khuroson": ("Хуросон", "Хуросон"),
    "Kulob": ("Кӯлоб", "Куляб"),
    "Muminobod": ("Мӯъминобод", "Муминабад"),
    "Norak": ("Норак", "Нурек"),
    "Nosiri Khusrav": ("Носири Хусрав", "Носири Хусрав"),
    "Panj": ("Панҷ", "Пяндж"),
    "Qabodiyon": ("Қубодиён", "Кабодиён"),
    "Qumsangir": ("Қумсангир", "Кумсангир"),  # now Jayhun
    "Rumi": ("Румӣ", "Руми"),
    "Sarband": ("Сарбанд", "Сарбанд"),  # now Levakant
    "Shahrtuz": ("Шаҳритус", "Шаартуз"),
    "Shuro-obod": ("Шӯрообод", "Шуроабад"),
    "Temurmalik": ("Темурмалик", "Темурмалик"),
    "Vakhsh": ("Вахш", "Вахш"),
    "Vose'": ("Восеъ", "Восе"),
    "Yovon": ("Ёвон", "Яван"),
    # Districts of Republican Subordination
    "Faizobod": ("Файзобод", "Файзабад"),
    "Hisor": ("Ҳисор", "Гиссар"),
    "Jirgatol": ("Ҷиргатол", "Джиргиталь"),  # now Lakhsh
    "Nurobod": ("Нуробод", "Нурабад"),
    "Rasht": ("Рашт", "Рашт"),
    "Roghun": ("Роғун", "Рогун"),
    "Rudaki": ("Рӯдакӣ", "Рудаки"),
    "Sharinav": ("Шаҳринав", "Шахринав"),
    "Tavildara": ("Тавилдара", "Тавильдара"),
    "Tojikobod": ("Тоҷикобод", "Таджикабад"),
    "Tursunzoda": ("Турсунзода", "Турсунзаде"),
    "Vahdat": ("Ваҳдат", "Вахдат"),
    "Varzob": ("Варзоб", "Варзоб"),
    # Sughd
    "Asht": ("Ашт", "Ашт"),
    "Ayni": ("Айнӣ", "Айни"),
    "Ghafurov": ("Ғафуров", "Гафуров"),
    "Ghonchi": ("Ғончӣ", "Ганчи"),  # now Devashtich
    "Isfara": ("Исфара", "Исфара"),
    "Istaravshan": ("Истаравшан", "Истаравшан"),
    "Jabbor Rasulov": ("Ҷаббор Расулов", "Джаббар Расулов"),
    "Konibodom": ("Конибодом", "Канибадам"),
    "Kuhistoni Mastchoh": ("Кӯҳистони Мастчоҳ", "Горная Матча"),
    "Mastchoh": ("Мастчоҳ", "Матча"),
    "Panjakent": ("Панҷакент", "Пенджикент"),
    "Shahriston": ("Шаҳристон", "Шахристан"),
    "Spitamen": ("Спитамен", "Спитамен"),
    "Zafarobod": ("Зафаробод", "Зафарабад"),
}

# English name of an Asht jamoat or town (as in the 2015 population list) -> (tg, ru).
ASHT_JAMOATS: dict[str, tuple[str, str]] = {
    "Shaydon": ("Шайдон", "Шайдан"),
    "Asht": ("Ашт", "Ашт"),
    "Iftikhor": ("Ифтихор", "Ифтихор"),
    "Mehrobod": ("Меҳробод", "Мехробод"),
    "Oriyon": ("Ориён", "Ориён"),
    "Oshoba": ("Ошоба", "Ашоба"),
    "Ponghoz": ("Понғоз", "Понгоз"),
    "Punuk": ("Пунук", "Пунук"),
    "Shodoba": ("Шодоба", "Шодоба"),
}
