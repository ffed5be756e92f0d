"""The names of the shipped official figures' sources, in the reader's language.

Official figures keep their source as the publisher wrote it (``OfficialFigure.source``, in
English in the shipped data: ``places/data``). Pages show these known names translated; a
source an officer typed is shown as typed.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

SOURCE_NAMES: dict[str, Promise] = {
    "Asia-Plus report on migration from Asht district": _(
        "Asia-Plus report on migration from Asht district"
    ),
    "Asian Development Bank, based on World Bank (via buffett.ru / Asia-Plus)": _(
        "Asian Development Bank, based on World Bank (via buffett.ru / Asia-Plus)"
    ),
    "Asian Development Bank, based on World Bank (via daryo.uz / buffett.ru)": _(
        "Asian Development Bank, based on World Bank (via daryo.uz / buffett.ru)"
    ),
    "Asian Development Bank, based on World Bank (via daryo.uz)": _(
        "Asian Development Bank, based on World Bank (via daryo.uz)"
    ),
    "Migration Service office, Ministry of Labour, Migration and Employment, Sughd province": _(
        "Migration Service office, Ministry of Labour, Migration and Employment, Sughd province"
    ),
    "MoLME": _("MoLME"),
    "MoLME (Dep. Minister Amin Sanginzoda)": _("MoLME (Dep. Minister Amin Sanginzoda)"),
    "MoLME (Minister Gulnora Khasanzoda)": _("MoLME (Minister Gulnora Khasanzoda)"),
    "MoLME (Minister Shirin Amonzoda)": _("MoLME (Minister Shirin Amonzoda)"),
    "MoLME (Minister Shirin Amonzoda, press conference 2021-02-11)": _(
        "MoLME (Minister Shirin Amonzoda, press conference 2021-02-11)"
    ),
    "MoLME (as reported by Asia-Plus via buffett.ru)": _(
        "MoLME (as reported by Asia-Plus via buffett.ru)"
    ),
    "MoLME Migration Service": _("MoLME Migration Service"),
    "MoLME Migration Service (Dep. Minister Shakhnoza Nodiri, via TASS)": _(
        "MoLME Migration Service (Dep. Minister Shakhnoza Nodiri, via TASS)"
    ),
    "Tajik authorities": _("Tajik authorities"),
    "World Bank (via thecentral.asia)": _("World Bank (via thecentral.asia)"),
    "World Bank Migration and Development Brief 17 (via Asia-Plus)": _(
        "World Bank Migration and Development Brief 17 (via Asia-Plus)"
    ),
    "World Bank Migration and Development Brief, May 2022 (via Asia-Plus)": _(
        "World Bank Migration and Development Brief, May 2022 (via Asia-Plus)"
    ),
    "World Bank Migration and Development Brief, Nov 2012 (via bne IntelliNews)": _(
        "World Bank Migration and Development Brief, Nov 2012 (via bne IntelliNews)"
    ),
    "World Bank report (via daryo.uz)": _("World Bank report (via daryo.uz)"),
    "World Bank/KNOMAD Migration and Development Brief (via Asia-Plus)": _(
        "World Bank/KNOMAD Migration and Development Brief (via Asia-Plus)"
    ),
    "official data": _("official data"),
    "unofficial sources": _("unofficial sources"),
    "World Bank, World Development Indicators, BX.TRF.PWKR.DT.GD.ZS (CC BY 4.0)": _(
        "World Bank, World Development Indicators, BX.TRF.PWKR.DT.GD.ZS (CC BY 4.0)"
    ),
    "World Bank": _("World Bank"),
}


def source_name(text: str) -> str:
    """The source in the active language when it is a shipped one, else as written."""
    found = SOURCE_NAMES.get(text)
    return str(found) if found is not None else text
