"""The botocore data loader one run shares between all its botocore sessions (`Context.botocore_loader`).

botocore gives every session its own loader, and a loader reads data on first use: the 1.2 MB endpoints.json,
each service model, and — to check that a service exists before loading its model — a listing of every service
folder (some 400 `listdir`s and 1,600 `stat`s per model type). A run makes several sessions (the credential chain,
the STS endpoint lookup, the signature probe's serialiser), in parallel threads. This loader is shared by them and
differs from botocore's in two ways only:
* one thread at a time: two probes missing the cache at once would otherwise both read and parse, and both merge a
  model's extras into the same cached dict;
* "does service X exist" looks in X's own folders instead of listing them all. The full sorted list is still built,
  by botocore's own code, the moment anybody iterates over it (UnknownServiceError's message, get_available_services);
* JSON is parsed into plain dicts: botocore asks for OrderedDicts, which the C parser builds through a Python call
  per object — endpoints.json and the IAM model took 24 ms instead of 12. Plain dicts keep the file's key order too,
  and nothing in botocore uses what only OrderedDict has (move_to_end, order-sensitive ==).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from typing import Any

import botocore.loaders
from botocore.compat import HAS_GZIP

from sigdoctor.botoseam import loader_cache, loader_locations


class ServiceList:
    """What `Loader.list_available_services` returns: a sorted list of names, built only when iterated."""

    def __init__(self, loader: SharedLoader, type_name: str) -> None:
        self._loader = loader
        self._type_name = type_name
        self._names: list[str] | None = None
        self._known: dict[str, bool] = {}

    def __contains__(self, name: object) -> bool:
        if self._names is not None:
            return name in self._names
        if not isinstance(name, str):
            return False
        if name not in self._known:
            self._known[name] = self._loader.has_service(name, self._type_name)
        return self._known[name]

    def _all(self) -> list[str]:
        if self._names is None:
            self._names = self._loader.full_service_list(self._type_name)
        return self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __getitem__(self, i: Any) -> Any:
        return self._all()[i]

    def __eq__(self, other: object) -> bool:
        return self._all() == (list(other) if isinstance(other, ServiceList) else other)

    def __repr__(self) -> str:
        return repr(self._all())


class PlainJSONFileLoader(botocore.loaders.JSONFileLoader):
    """botocore's JSONFileLoader (the same files, tried in the same order: .json, then .json.gz), parsing into
    plain dicts."""

    def load_file(self, file_path: str) -> Any:
        for ext in (".json", ".json.gz") if HAS_GZIP else (".json",):
            full_path = file_path + ext
            if not os.path.isfile(full_path):
                continue
            if ext == ".json":
                with open(full_path, "rb") as fp:
                    payload = fp.read()
            else:
                import gzip

                with gzip.open(full_path, "rb") as fp:
                    payload = fp.read()
            return json.loads(payload.decode("utf-8"))
        return None


class SharedLoader(botocore.loaders.Loader):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("file_loader", PlainJSONFileLoader())
        super().__init__(*args, **kwargs)
        # Re-entrant: load_service_model calls the other cached methods.
        self._lock = threading.RLock()

    # Not a list subclass on purpose: C code (str.join, sorted) would read a subclass's empty storage directly.
    def list_available_services(self, type_name: str) -> ServiceList:  # type: ignore[override]
        with self._lock:
            key = ("list_available_services", type_name)
            cache = loader_cache(self)
            if key not in cache:
                cache[key] = ServiceList(self, type_name)
            cached: ServiceList = cache[key]
            return cached

    def full_service_list(self, type_name: str) -> list[str]:
        # botocore's own listing, by a plain loader over the same folders (ours caches ServiceList under its key).
        plain = botocore.loaders.Loader(extra_search_paths=list(self.search_paths), file_loader=self.file_loader,
                                        include_default_search_paths=False)
        return list(plain.list_available_services(type_name))

    def has_service(self, name: str, type_name: str) -> bool:
        """The test botocore's full listing applies to each folder, applied to `name`'s folders only."""
        if not name or name in (".", "..") or os.sep in name or (os.altsep and os.altsep in name):
            return False  # never a folder name a listing returns
        for base in loader_locations(self):
            folder = os.path.join(base, name)
            if not os.path.isdir(folder):
                continue
            for api_version in os.listdir(folder):
                if self.file_loader.exists(os.path.join(folder, api_version, type_name)):
                    return True
        return False

    def determine_latest_version(self, service_name: str, type_name: str) -> str:
        with self._lock:
            return str(super().determine_latest_version(service_name, type_name))

    def list_api_versions(self, service_name: str, type_name: str) -> list[str]:
        with self._lock:
            return list(super().list_api_versions(service_name, type_name))

    def load_service_model(self, service_name: str, type_name: str, api_version: str | None = None) -> Any:
        with self._lock:
            return super().load_service_model(service_name, type_name, api_version)

    def load_data_with_path(self, name: str) -> Any:
        with self._lock:
            return super().load_data_with_path(name)


def create(search_path_string: str | None = None) -> SharedLoader:
    """`botocore.loaders.create_loader`, making a SharedLoader (same search paths: AWS_DATA_PATH, then botocore's)."""
    if search_path_string is None:
        return SharedLoader()
    paths = [os.path.expanduser(os.path.expandvars(p)) for p in search_path_string.split(os.pathsep)]
    return SharedLoader(extra_search_paths=paths)
