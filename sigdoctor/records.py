"""`datarecord`: `dataclasses.dataclass` for the features sigdoctor uses, without compiling per-class source text.

The standard decorator writes each class's __init__, __repr__, __eq__ (and for frozen classes __setattr__,
__delattr__, __hash__) as Python source and compiles every one of them with exec(): ~0.3–0.7 ms per class, ~50 ms
of a healthy `sigdoctor run`'s start-up for its ~80 dataclasses, more than most probes' own work. Here those
methods are closures over the class's Field objects, built in microseconds. The fields themselves, their metadata
and everything `dataclasses` reads (`fields`, `replace`, `asdict`, `is_dataclass`, __match_args__) still come from
`dataclasses.dataclass(cls, init=False, repr=False, eq=False)`, which compiles nothing.

Supported: `@datarecord`, `@datarecord(frozen=True)`; `field(default=, default_factory=, init=, repr=, compare=, hash=)`;
ClassVar annotations; __post_init__; methods and properties; a __init__/__repr__/__eq__/__hash__ written in the
class body is kept, as dataclasses keeps it; inheritance from other dataclasses. Anything else — order=True, slots,
kw_only, InitVar, … — is a TypeError when the class is decorated, so nothing silently behaves differently from
`dataclasses.dataclass`. tests/core/test_records.py compares every datarecord class of sigdoctor with a twin built by
the standard decorator. One visible difference: `inspect.signature(cls)` reads `(*args, **kwargs)`; the class
docstring of a class without one is dataclasses' own "Name(field: type = default, ...)".
"""

from __future__ import annotations

import dataclasses
import inspect  # imported by dataclasses anyway
from _thread import get_ident  # what dataclasses' recursion guard keys on, with id(self)
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform, overload

_T = TypeVar("_T")
_MISSING: Any = dataclasses.MISSING
# dataclasses' markers of a field's kind (regular, ClassVar; InitVar is the third).
_FIELD: Any = dataclasses._FIELD  # type: ignore[attr-defined]
_FIELD_CLASSVAR: Any = dataclasses._FIELD_CLASSVAR  # type: ignore[attr-defined]
_object_setattr = object.__setattr__


@overload
def datarecord(cls: type[_T], /) -> type[_T]: ...


@overload
def datarecord(*, frozen: bool = False) -> Callable[[type[_T]], type[_T]]: ...


@dataclass_transform(field_specifiers=(dataclasses.field, dataclasses.Field))
def datarecord(cls: type[_T] | None = None, /, *, frozen: bool = False) -> type[_T] | Callable[[type[_T]], type[_T]]:
    """A drop-in for `@dataclass` / `@dataclass(frozen=True)` (see the module docstring for what is supported);
    any other option is a TypeError here, at decoration time."""

    def wrap(c: type[_T]) -> type[_T]:
        return _process(c, frozen)

    return wrap if cls is None else wrap(cls)


def _dataclass_bases(cls: type) -> list[type]:
    return [b for b in cls.__mro__[1:] if "__dataclass_fields__" in b.__dict__]


def _process(cls: type[_T], frozen: bool) -> type[_T]:
    body = dict(cls.__dict__)
    bases = _dataclass_bases(cls)
    frozen_base = any(b.__dataclass_params__.frozen for b in bases)  # type: ignore[attr-defined]
    if bases and frozen_base != frozen:
        # dataclasses' own words for the mismatch (it checks the same with the frozen it is given).
        raise TypeError("cannot inherit non-frozen dataclass from a frozen one" if frozen_base
                        else "cannot inherit frozen dataclass from a non-frozen one")
    if frozen:
        for name in ("__setattr__", "__delattr__"):
            if name in body:
                raise TypeError(f"Cannot overwrite attribute {name} in class {cls.__name__}")
    # A class without a docstring gets "Name(signature of __init__)" from dataclasses, through inspect.signature:
    # ~150 µs a class. The same text is written below from the fields.
    docless = not cls.__doc__
    if docless:
        cls.__doc__ = "-"
    # With a frozen dataclass base, dataclasses must be told frozen=True (it refuses the mix otherwise) and then
    # writes __setattr__/__delattr__ itself: two compiles instead of six, and its own frozen semantics.
    dataclasses.dataclass(cls, init=False, repr=False, eq=False, frozen=frozen and frozen_base)
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    params.init = params.repr = params.eq = True
    params.frozen = frozen

    all_fields: list[dataclasses.Field[Any]] = list(cls.__dataclass_fields__.values())  # type: ignore[attr-defined]
    for f in all_fields:
        if f._field_type is not _FIELD and f._field_type is not _FIELD_CLASSVAR:  # type: ignore[attr-defined]
            raise TypeError(f"datarecord does not implement InitVar fields ({cls.__qualname__}.{f.name})")
        if f.kw_only is True:
            raise TypeError(f"datarecord does not implement kw_only fields ({cls.__qualname__}.{f.name})")
    fields = [f for f in all_fields if f._field_type is _FIELD]  # type: ignore[attr-defined]
    init_fields = [f for f in fields if f.init]
    seen_default = False
    for f in init_fields:
        if f.default is not _MISSING or f.default_factory is not _MISSING:
            seen_default = True
        elif seen_default:
            raise TypeError(f"non-default argument {f.name!r} follows default argument")

    if docless:
        cls.__doc__ = cls.__name__ + _signature_text(init_fields)

    def add(name: str, fn: Any) -> None:
        if name in body:
            return  # written in the class body: dataclasses keeps it too
        fn.__name__ = name
        fn.__qualname__ = f"{cls.__qualname__}.{name}"
        fn.__module__ = cls.__module__
        setattr(cls, name, fn)

    add("__init__", _make_init(cls, fields, init_fields, frozen))
    add("__repr__", _make_repr([f.name for f in fields if f.repr]))
    eq_fn = _make_eq([f.name for f in fields if f.compare])
    add("__eq__", eq_fn)
    # dataclasses' __hash__ rules for eq=True, unsafe_hash=False: a __hash__ of the class body is kept (a None put
    # there by Python because the body defines __eq__ does not count), else frozen classes hash their compared
    # fields and mutable ones are unhashable.
    class_hash = body.get("__hash__", _MISSING)
    explicit_hash = not (class_hash is _MISSING or (class_hash is None and "__eq__" in body))
    if not explicit_hash:
        if frozen:
            hash_names = [f.name for f in fields if (f.compare if f.hash is None else f.hash)]
            cls.__hash__ = _make_hash(hash_names)  # type: ignore[method-assign, assignment]
            cls.__hash__.__qualname__ = f"{cls.__qualname__}.__hash__"
        else:
            cls.__hash__ = None  # type: ignore[assignment]
    if frozen and not frozen_base:
        names = frozenset(f.name for f in fields)
        add("__setattr__", _make_frozen_setattr(cls, names))
        add("__delattr__", _make_frozen_delattr(cls, names))
    return cls


def _signature_text(init_fields: list[dataclasses.Field[Any]]) -> str:
    """str(inspect.signature(cls)) of the generated __init__ without its '-> None', as dataclasses' docstring."""
    params = []
    for f in init_fields:
        text = f"{f.name}: {inspect.formatannotation(f.type)}"
        if f.default_factory is not _MISSING:
            text += " = <factory>"
        elif f.default is not _MISSING:
            text += f" = {f.default!r}"
        params.append(text)
    return f"({', '.join(params)})"


def _make_init(cls: type, fields: list[dataclasses.Field[Any]], init_fields: list[dataclasses.Field[Any]],
               frozen: bool) -> Callable[..., None]:
    init_names = tuple(f.name for f in init_fields)
    n_init = len(init_names)
    init_set = frozenset(init_names)
    def has_default(f: dataclasses.Field[Any]) -> bool:
        return f.default is not _MISSING or f.default_factory is not _MISSING

    def default(f: dataclasses.Field[Any]) -> tuple[Any, bool]:
        """(the default, or its factory; whether it is a factory)"""
        return (f.default_factory, True) if f.default_factory is not _MISSING else (f.default, False)

    # What an omitted argument gets.
    defaults = {f.name: default(f) for f in init_fields if has_default(f)}
    # init=False fields with a default are set too, in field order; those without one are left unset.
    extra = [(f.name, *default(f)) for f in fields if not f.init and has_default(f)]
    order = tuple(f.name for f in fields if f.init or has_default(f)) if extra else init_names
    post_init = hasattr(cls, "__post_init__")
    qualname = f"{cls.__qualname__}.__init__"
    # Frozen: object.__setattr__, as dataclasses' generated frozen __init__ does; otherwise `self.name = value`.
    # One attribute at a time, never through self.__dict__: an instance whose __dict__ has been asked for keeps it
    # as a real dict, and every attribute read on it then costs ~2.5x (CPython 3.11: 25 against 9 ns).
    setter: Callable[[Any, str, Any], None] = _object_setattr if frozen else setattr

    def bind(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        """Python's own argument binding for (self, *init_names) with the fields' defaults, and its errors."""
        if args:
            given = dict(zip(init_names, args, strict=False))
            for k in kwargs:
                if k in given:
                    raise TypeError(f"{qualname}() got multiple values for argument {k!r}")
                if k not in init_set:
                    raise TypeError(f"{qualname}() got an unexpected keyword argument {k!r}")
            given.update(kwargs)
        else:
            given = kwargs
            if not init_set.issuperset(given):
                bad = next(k for k in given if k not in init_set)
                raise TypeError(f"{qualname}() got an unexpected keyword argument {bad!r}")
        if len(args) > n_init:
            lo = n_init - len(defaults) + 1
            takes = f"{n_init + 1}" if lo == n_init + 1 else f"from {lo} to {n_init + 1}"
            word = "argument" if takes == "1" else "arguments"
            raise TypeError(f"{qualname}() takes {takes} positional {word} but {len(args) + 1} were given")
        if len(given) < n_init:
            for name, (value, is_factory) in defaults.items():
                if name not in given:
                    given[name] = value() if is_factory else value
            if len(given) < n_init:
                missing = [n for n in init_names if n not in given]
                if len(missing) > 2:  # Python's wording: 'a', 'b', and 'c'
                    listed = ", ".join(repr(m) for m in missing[:-1]) + f", and {missing[-1]!r}"
                else:
                    listed = " and ".join(repr(m) for m in missing)
                s = "" if len(missing) == 1 else "s"
                raise TypeError(f"{qualname}() missing {len(missing)} required positional argument{s}: {listed}")
        for name, value, is_factory in extra:
            given[name] = value() if is_factory else value
        return given

    def __init__(self: Any, /, *args: Any, **kwargs: Any) -> None:
        if kwargs or len(args) != n_init or extra:
            given = bind(args, kwargs)
            for name in order:
                setter(self, name, given[name])
        else:
            for name, value in zip(order, args, strict=False):
                setter(self, name, value)
        if post_init:
            self.__post_init__()

    return __init__


def _getter(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The fields' values as a tuple (attrgetter returns the bare value for one name)."""
    if not names:
        return lambda obj: ()
    if len(names) == 1:
        get = attrgetter(names[0])
        return lambda obj: (get(obj),)
    return attrgetter(*names)


def _make_repr(names: list[str]) -> Callable[[Any], str]:
    get = _getter(names)
    fmt = ", ".join(f"{n}=%r" for n in names)
    running: set[tuple[int, int]] = set()  # dataclasses' recursion guard: '...' for an instance inside itself

    def __repr__(self: Any) -> str:
        key = (id(self), get_ident())
        if key in running:
            return "..."
        running.add(key)
        try:
            inner = fmt % get(self)
        finally:
            running.discard(key)
        return f"{self.__class__.__qualname__}({inner})"

    return __repr__


def _make_eq(names: list[str]) -> Callable[[Any, Any], Any]:
    get = _getter(names)

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return get(self) == get(other)
        return NotImplemented

    return __eq__


def _make_hash(names: list[str]) -> Callable[[Any], int]:
    get = _getter(names)

    def __hash__(self: Any) -> int:
        return hash(get(self))

    return __hash__


def _make_frozen_setattr(cls: Any, names: frozenset[str]) -> Callable[[Any, str, Any], None]:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    return __setattr__


def _make_frozen_delattr(cls: Any, names: frozenset[str]) -> Callable[[Any, str], None]:
    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return __delattr__
