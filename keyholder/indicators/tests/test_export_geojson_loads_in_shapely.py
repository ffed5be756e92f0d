"""The GeoJSON export is an EPSG:4326 FeatureCollection of the child places, each with a valid
geometry (shapely) and its figures as properties."""

from __future__ import annotations

import json

from django.test import Client
from shapely.geometry import shape

from keyholder.indicators.tests.dashboard_setup import asht
from keyholder.indicators.tests.export_checks import body
from keyholder.testing import Cast


def test_it_exports_valid_geometries_with_the_figures(client: Client, cast: Cast) -> None:
    asht(cast)
    cast.other_district.boundary = {
        "type": "MultiPolygon",
        "coordinates": [[[[69.5, 40.0], [70.0, 40.0], [70.0, 40.5], [69.5, 40.4], [69.5, 40.0]]]],
    }
    cast.other_district.save()
    client.force_login(cast.region_officer)
    response = client.get(
        "/indicators/TJ-SU/export/",
        {
            "indicators": "abroad,share_abroad",
            "from": "2023-12",
            "to": "2024-01",
            "format": "geojson",
        },
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    collection = json.loads(body(response))
    # RFC 7946: coordinates are WGS 84 longitude/latitude (EPSG:4326), with no "crs" member.
    assert collection["type"] == "FeatureCollection" and "crs" not in collection
    features = collection["features"]
    assert [f["properties"]["code"] for f in features] == ["TJ-SU-ASHT", "TJ-SU-GHAFUROV"]
    for feature in features:
        geometry = shape(feature["geometry"])
        assert geometry.is_valid and geometry.area > 0
    asht_props = features[0]["properties"]
    assert (asht_props["abroad_2023-12"], asht_props["abroad_2024-01"]) == (25, 25)
    assert features[1]["properties"]["abroad_2023-12"] == 7
    # The district officer may not export the region: 404.
    client.force_login(cast.officer)
    assert client.get("/indicators/TJ-SU/export/", {"format": "geojson"}).status_code == 404


def test_it_draws_jamoats_without_a_point_at_the_middle_of_their_villages(
    client: Client, cast: Cast
) -> None:
    asht(cast)
    client.force_login(cast.officer)
    response = client.get(
        "/indicators/TJ-SU-ASHT/export/",
        {
            "indicators": "abroad,share_abroad",
            "from": "2023-12",
            "to": "2024-01",
            "format": "geojson",
        },
    )
    assert response.status_code == 200
    features = json.loads(body(response))["features"]
    by_code = {f["properties"]["code"]: f for f in features}
    assert set(by_code) == {"TJ-SU-ASHT-OSHOBA", "TJ-SU-ASHT-PONGHOZ"}
    for feature in features:
        geometry = shape(feature["geometry"])
        assert geometry.is_valid and not geometry.is_empty
        lon, lat = geometry.centroid.x, geometry.centroid.y
        assert 67 < lon < 76 and 36 < lat < 42  # degrees in Tajikistan: EPSG:4326
    ponghoz = by_code["TJ-SU-ASHT-PONGHOZ"]
    assert ponghoz["properties"]["approximate_point"] is True
    assert ponghoz["geometry"]["coordinates"] == [70.225, 40.725]
    assert ponghoz["properties"]["abroad_2023-12"] == 25
    # 25 of its 28 registered residents (the Umarovs are still at home).
    assert ponghoz["properties"]["share_abroad_2024-01"] == round(25 / 28, 4)
