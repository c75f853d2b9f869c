"""`datarecord` (sigdoctor/records.py) against `dataclasses.dataclass`: every class sigdoctor decorates with it is
compared with a twin made by the standard decorator from the same class body (its source, executed again), on
what code and users can see — fields, construction, defaults, repr, equality, hashing, frozenness, replace,
asdict, pickling and the TypeErrors of a bad call; then the options it refuses and the rules it must keep."""

from __future__ import annotations
import __future__

import ast
import copy
import dataclasses
import importlib
import inspect
import pickle
import re
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import KW_ONLY, FrozenInstanceError, InitVar, field
from pathlib import Path
from typing import Any, ClassVar

import pytest
import typer.main

import sigdoctor
from sigdoctor import cli, typerseam
from sigdoctor.records import datarecord

SOURCE = Path(sigdoctor.__file__).parent


class Token:
    """A field value of no particular type: equal to its twin, hashable, picklable, with a stable repr."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Token) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"Token({self.name!r})"


def _decorated() -> list[tuple[str, str]]:
    """(module, class qualname) of every `@datarecord` in sigdoctor's source."""
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = ".".join(path.relative_to(SOURCE.parent).with_suffix("").parts).removesuffix(".__init__")

        def walk(node: ast.AST, prefix: str, module: str = module) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.ClassDef):
                    for d in child.decorator_list:
                        target = d.func if isinstance(d, ast.Call) else d
                        if isinstance(target, ast.Name) and target.id == "datarecord":
                            found.append((module, prefix + child.name))
                    walk(child, f"{prefix}{child.name}.")
                elif isinstance(child, ast.FunctionDef):
                    walk(child, f"{prefix}{child.name}.<locals>.")
                else:
                    walk(child, prefix)

        walk(tree, "")
    return found


DECORATED = _decorated()


def _local_classes() -> dict[str, type]:
    """Classes made inside a function, found where that function puts them."""
    command = typer.main.get_command(cli.build_app())
    typerseam.install(command)
    param = command.commands["run"].params[0]  # type: ignore[attr-defined]
    direct = type(param._runtime_param)
    return {f"sigdoctor.typerseam.{direct.__qualname__}": direct}


def _load(module: str, qualname: str) -> type:
    if "<locals>" in qualname:
        return _local_classes()[f"{module}.{qualname}"]
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    assert isinstance(obj, type)
    return obj


def _twin(cls: type) -> type:
    """The same class body, executed again under `dataclasses.dataclass` with the same options."""
    module = inspect.getmodule(cls)
    assert module is not None
    source = textwrap.dedent(inspect.getsource(cls))
    source, n = re.subn(r"^@datarecord\b", "@__dataclass__", source, count=1, flags=re.M)
    assert n == 1, source[:200]

    def std(c: type | None = None, /, **options: Any) -> Any:
        def wrap(c: type) -> type:
            c.__qualname__ = cls.__qualname__  # its repr and error messages name the same class
            return dataclasses.dataclass(c, **options)

        return wrap if c is None else wrap(c)

    namespace = {**vars(module), "__dataclass__": std}
    namespace.update({b.__name__: b for b in cls.__bases__})  # a local class's bases are locals of its function
    flags = __future__.annotations.compiler_flag if getattr(module, "annotations", None) is __future__.annotations else 0
    exec(compile(source, inspect.getsourcefile(cls) or "?", "exec", flags=flags, dont_inherit=True), namespace)
    return namespace[cls.__name__]  # type: ignore[no-any-return]


def _value(f: dataclasses.Field[Any], tag: str) -> Any:
    """A value for field `f`: of its annotated type when simple (so __post_init__ can use it), else a Token."""
    kind = str(f.type).split("[")[0].split(" ")[0]
    n = len(f.name) + ord(tag)  # differs between tags, so a changed field is seen as changed
    return {"str": f"{f.name}-{tag}", "int": n, "float": n + 0.5, "bool": tag == "a",
            "tuple": (f"{f.name}-{tag}",), "list": [tag], "dict": {f.name: tag}}.get(kind, Token(f"{f.name}-{tag}"))


def _state(obj: Any) -> list[tuple[str, Any]]:
    """The instance's attributes in order; a value compared only by identity (a lock, a Redactor a default factory
    made) stands as its type, a float as a float rounded to minutes (time.monotonic as a default factory)."""

    def plain(v: Any) -> Any:
        eq: Any = type(v).__eq__
        return type(v) if eq is object.__eq__ else round(v / 60) if type(v) is float else v

    return [(k, plain(v)) for k, v in vars(obj).items()]


def _outcome(fn: Any, obj: Any) -> Any:
    """fn(obj) compared by its state (or its value), or the exception it raised."""
    try:
        out = fn(obj)
    except Exception as exc:
        return (type(exc).__name__, str(exc))
    return out if isinstance(out, dict) else _state(out)


def _call(cls: type, *args: Any, **kwargs: Any) -> Any:
    """The instance, or the TypeError's message with the class's name left out."""
    try:
        return cls(*args, **kwargs)
    except TypeError as exc:
        return ("TypeError", str(exc))


@pytest.fixture(params=DECORATED, ids=[f"{m}.{q}" for m, q in DECORATED])
def pair(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[type, type]]:
    cls = _load(*request.param)
    twin = _twin(cls)
    # After the classes exist (a default may be time.monotonic itself): a __post_init__ reading the clock reads it
    # alike for both.
    monkeypatch.setattr(time, "monotonic", lambda: 1000.0)
    yield cls, twin


def test_every_decorated_class_is_found() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in SOURCE.rglob("*.py"))
    assert len(DECORATED) == len(re.findall(r"^\s*@datarecord\b", text, flags=re.M)) > 100


def test_class_level_attributes_agree(pair: tuple[type, type]) -> None:
    cls, twin = pair

    def described(c: type) -> list[tuple[Any, ...]]:
        return [(f.name, f.type, f.default, getattr(f.default_factory, "__qualname__", f.default_factory), f.init,
                 f.repr, f.compare, f.hash, f.kw_only, dict(f.metadata)) for f in dataclasses.fields(c)]

    assert described(cls) == described(twin)
    assert dataclasses.is_dataclass(cls)
    assert repr(cls.__dataclass_params__) == repr(twin.__dataclass_params__)  # type: ignore[attr-defined]
    assert cls.__match_args__ == twin.__match_args__  # type: ignore[attr-defined]
    assert cls.__doc__ == twin.__doc__
    assert (cls.__hash__ is None) == (twin.__hash__ is None)


def test_instances_agree(pair: tuple[type, type]) -> None:
    cls, twin = pair
    init = [f for f in dataclasses.fields(cls) if f.init]
    values = [_value(f, "a") for f in init]
    params = cls.__dataclass_params__  # type: ignore[attr-defined]

    by_position, by_keyword = cls(*values), cls(**{f.name: v for f, v in zip(init, values, strict=True)})
    reference = twin(*values)
    assert _state(by_position) == _state(by_keyword) == _state(reference)
    assert repr(by_position) == repr(reference)
    assert by_position == by_keyword and not by_position != by_keyword  # noqa: SIM202 - __ne__ is the test
    assert by_position != reference and by_position.__eq__(reference) is NotImplemented  # another class
    assert by_position.__eq__(object()) is NotImplemented
    for f, v in zip(init, values, strict=True):
        other = dataclasses.replace(by_position, **{f.name: _value(f, "b")})
        twin_other = dataclasses.replace(reference, **{f.name: _value(f, "b")})
        assert _state(other) == _state(twin_other)
        assert (other == by_position) == (twin_other == reference)
        assert getattr(other, f.name) == _value(f, "b") or getattr(other, f.name) is not v
    assert _outcome(dataclasses.asdict, by_position) == _outcome(dataclasses.asdict, reference)

    if twin.__hash__ is not None:
        try:
            expected: Any = hash(reference)
        except TypeError as exc:
            expected = str(exc)
        try:
            got: Any = hash(by_position)
        except TypeError as exc:
            got = str(exc)
        assert got == expected
    else:
        with pytest.raises(TypeError, match="unhashable"):
            hash(by_position)

    name = init[0].name if init else "anything"
    if params.frozen:
        errors: list[list[str]] = [[], []]
        for obj, seen in ((by_position, errors[0]), (reference, errors[1])):
            actions: list[Callable[[Any], None]] = [lambda o: setattr(o, name, 1), lambda o: delattr(o, name),
                                                    lambda o: setattr(o, "not_a_field", 1)]
            for action in actions:
                with pytest.raises(FrozenInstanceError) as err:
                    action(obj)
                seen.append(str(err.value))
        assert errors[0] == errors[1] and errors[0][0] == f"cannot assign to field {name!r}"
        assert _state(by_position) == _state(reference)
    else:
        setattr(by_position, name, "changed")
        setattr(reference, name, "changed")
        assert _state(by_position) == _state(reference)

    copied = _outcome(copy.deepcopy, by_position)
    assert copied == _outcome(copy.deepcopy, reference)  # a lock in a field: TypeError for both
    if "<locals>" not in cls.__qualname__ and not isinstance(copied, tuple):
        again = pickle.loads(pickle.dumps(by_position))
        assert type(again) is cls and _state(again) == _state(by_position)


def test_defaults_and_factories_agree(pair: tuple[type, type]) -> None:
    cls, twin = pair
    init = [f for f in dataclasses.fields(cls) if f.init]
    required = [_value(f, "a") for f in init if f.default is dataclasses.MISSING
                and f.default_factory is dataclasses.MISSING]
    one, two, reference, reference_two = cls(*required), cls(*required), twin(*required), twin(*required)
    assert _state(one) == _state(reference)
    for f in dataclasses.fields(cls):
        if f.default_factory is not dataclasses.MISSING and hasattr(one, f.name):
            assert (getattr(one, f.name) is getattr(two, f.name)) == \
                (getattr(reference, f.name) is getattr(reference_two, f.name))


def test_bad_calls_fail_alike(pair: tuple[type, type]) -> None:
    cls, twin = pair
    init = [f for f in dataclasses.fields(cls) if f.init]
    values = [_value(f, "a") for f in init]
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
        ((), {}),  # missing arguments (if any are required)
        ((*values, "extra"), {}),  # too many
        ((*values,), {"no_such_field": 1}),  # unexpected
        ((), {"no_such_field": 1, **{f.name: v for f, v in zip(init, values, strict=True)}}),
        ((Token("x"), Token("y"), Token("z")), {}),
    ]
    if init:
        calls.append(((values[0],), {init[0].name: values[0]}))  # given twice
        calls.append(((), {f.name: v for f, v in list(zip(init, values, strict=True))[1:]}))
    for args, kwargs in calls:
        got, expected = _call(cls, *args, **kwargs), _call(twin, *args, **kwargs)
        if isinstance(expected, tuple):
            assert got == expected, (args, kwargs)
        else:
            assert not isinstance(got, tuple) and _state(got) == _state(expected), (args, kwargs)


# The rules that the classes above may not all exercise.


@datarecord
class Plain:
    a: int
    b: list[int] = field(default_factory=list)
    hidden: int = field(default=0, repr=False, compare=False)
    seen: list[str] = field(default_factory=list, init=False, repr=False, compare=False)
    total: ClassVar[int] = 0

    def __post_init__(self) -> None:
        self.seen.append(f"post {self.a}")


@datarecord(frozen=True)
class Frozen:
    name: str
    parts: tuple[str, ...] = ()
    note: str = field(default="", compare=False)

    @property
    def size(self) -> int:
        return len(self.parts)


def test_post_init_factories_and_class_variables() -> None:
    one, two = Plain(1), Plain(2, [3])
    assert one.seen == ["post 1"] and two.seen == ["post 2"] and one.b == [] and one.b is not Plain(1).b
    assert one.seen is not two.seen and "total" not in {f.name for f in dataclasses.fields(Plain)}
    assert repr(two) == "Plain(a=2, b=[3])" and Plain(1, hidden=5) == one and Plain.__hash__ is None
    assert Plain.__doc__ == "Plain(a: 'int', b: 'list[int]' = <factory>, hidden: 'int' = 0)"
    one.a = 9
    assert one.a == 9


def test_frozen() -> None:
    f = Frozen("n", ("a", "b"))
    assert f.size == 2 and hash(f) == hash(("n", ("a", "b"))) and f == Frozen("n", ("a", "b"), note="other")
    with pytest.raises(FrozenInstanceError, match="cannot assign to field 'name'"):
        f.name = "m"  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError, match="cannot delete field 'parts'"):
        del f.parts
    assert pickle.loads(pickle.dumps(f)) == f and dataclasses.replace(f, name="m").name == "m"


def test_what_the_class_body_defines_is_kept() -> None:
    @datarecord(frozen=True)
    class Own:
        a: int

        def __eq__(self, other: object) -> bool:
            return True

        def __hash__(self) -> int:
            return 7

        def __repr__(self) -> str:
            return "own"

    assert Own(1) == Own(2) and hash(Own(1)) == 7 and repr(Own(1)) == "own"

    @datarecord
    class Hashed:
        a: int

        def __hash__(self) -> int:
            return 5

    assert hash(Hashed(1)) == 5


def test_repr_of_an_instance_inside_itself() -> None:
    p = Plain(1)
    p.b.append(p)  # type: ignore[arg-type]
    assert repr(p) == "Plain(a=1, b=[...])"


def test_inheritance() -> None:
    @datarecord(frozen=True)
    class Base:
        a: int
        b: str = "b"

    @datarecord(frozen=True)
    class Child(Base):
        c: float = 0.5

    @dataclasses.dataclass(frozen=True)
    class StdChild(Base):
        c: float = 0.5

    assert repr(Child(1, c=2.0)) == "test_inheritance.<locals>.Child(a=1, b='b', c=2.0)"
    assert Child(1) != Base(1) and Child(1) == Child(1) and hash(StdChild(1)) == hash(Child(1))
    with pytest.raises(FrozenInstanceError):
        Child(1).c = 2  # type: ignore[misc]
    with pytest.raises(TypeError, match="cannot inherit non-frozen dataclass from a frozen one"):
        datarecord(type("Loose", (Base,), {"__annotations__": {"d": "int"}}))


def test_unsupported_options_fail_when_decorating() -> None:
    def body(annotations: dict[str, Any], **extra: Any) -> type:
        return type("C", (), {"__annotations__": annotations, "__module__": __name__, **extra})

    with pytest.raises(TypeError):
        datarecord(order=True)  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        datarecord(slots=True)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="InitVar"):
        datarecord(body({"a": InitVar[int]}))
    with pytest.raises(TypeError, match="kw_only"):
        datarecord(body({"a": int, "_": KW_ONLY, "b": int}))
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
        datarecord(body({"a": int, "b": int}, a=1))
    with pytest.raises(TypeError, match="Cannot overwrite attribute __setattr__"):
        datarecord(frozen=True)(body({"a": int}, __setattr__=lambda self, k, v: None))
    with pytest.raises(ValueError, match="mutable default"):
        datarecord(body({"a": list}, a=[]))


def test_errors_are_pythons() -> None:
    with pytest.raises(TypeError, match=r"^Frozen.__init__\(\) missing 1 required positional argument: 'name'$"):
        Frozen()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"takes from 2 to 4 positional arguments but 5 were given$"):
        Frozen("a", (), "n", 4)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"got multiple values for argument 'name'$"):
        Frozen("a", name="b")  # type: ignore[misc]
    with pytest.raises(TypeError, match=r"got an unexpected keyword argument 'size'$"):
        Frozen("a", size=1)  # type: ignore[call-arg]
