"""A layer-organised monolith, scanned from real source, must come back as domains, not layers."""

from pathlib import Path

from analyzer.decompose import SHARED_KERNEL_NAME, decompose
from analyzer.options import AnalysisOptions
from analyzer.pipeline import build

DOMAINS = {
    # domain: (model class, table, verbs)
    "orders": ("Order", "orders", ("place", "cancel")),
    "payments": ("Payment", "payments", ("charge", "refund")),
    "catalog": ("Product", "products", ("publish", "archive")),
}


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def layered_monolith(root: Path) -> Path:
    for package in ("shop", "shop/api", "shop/services", "shop/models", "shop/utils"):
        write(root, f"{package}/__init__.py", "")
    write(root, "shop/db.py", "from sqlalchemy.orm import declarative_base, sessionmaker\n\n"
                              "Base = declarative_base()\nSession = sessionmaker()\n")
    write(root, "shop/utils/clock.py", "import datetime\n\n\ndef now():\n    return datetime.datetime.utcnow()\n")
    for domain, (model, table, (create, close)) in DOMAINS.items():
        noun = model.lower()
        write(root, f"shop/models/{domain}.py", f'''from sqlalchemy import Column, Integer, String

from shop.db import Base


class {model}(Base):
    __tablename__ = "{table}"
    id = Column(Integer, primary_key=True)
    state = Column(String)

    def describe(self):
        return f"{noun} {{self.id}} is {{self.state}}"
''')
        write(root, f"shop/services/{domain}_service.py", f'''from shop.db import Session
from shop.models.{domain} import {model}
from shop.utils.clock import now


def {create}_{noun}(state):
    session = Session()
    {noun} = {model}(state=state)
    session.add({noun})
    session.commit()
    return {noun}, now()


def {close}_{noun}({noun}_id):
    session = Session()
    {noun} = session.query({model}).get({noun}_id)
    {noun}.state = "{close}d"
    session.commit()
    return {noun}


def find_{noun}({noun}_id):
    return Session().query({model}).filter({model}.id == {noun}_id).first()
''')
        write(root, f"shop/api/{domain}.py", f'''from flask import Blueprint, request

from shop.services import {domain}_service
from shop.utils.clock import now

bp = Blueprint("{domain}", __name__)


@bp.post("/{domain}")
def create_{noun}():
    {noun}, _ = {domain}_service.{create}_{noun}(request.json["state"])
    return {{"id": {noun}.id, "at": str(now())}}


@bp.post("/{domain}/<int:{noun}_id>/{close}")
def {close}_{noun}_endpoint({noun}_id):
    return {{"state": {domain}_service.{close}_{noun}({noun}_id).state}}


@bp.get("/{domain}/<int:{noun}_id>")
def show_{noun}({noun}_id):
    return {{"{noun}": {domain}_service.find_{noun}({noun}_id).describe()}}
''')
    write(root, "shop/app.py", "from flask import Flask\n\n" + "".join(
        f"from shop.api.{d} import bp as {d}_bp\n" for d in DOMAINS) + '''

def create_app():
    app = Flask(__name__)
''' + "".join(f"    app.register_blueprint({d}_bp)\n" for d in DOMAINS) + "    return app\n")
    return root


LAYERS = ("shop.api.", "shop.services.", "shop.models.")


def test_services_cut_across_the_layers(tmp_path: Path):
    decomposition = decompose(build(layered_monolith(tmp_path), AnalysisOptions(cache=False)), AnalysisOptions())
    services = {c.name: set(c.modules) for c in decomposition.clusters if c.kind == "service"}
    assert len(services) == len(DOMAINS)
    for domain in DOMAINS:
        expected = {f"shop.api.{domain}", f"shop.services.{domain}_service", f"shop.models.{domain}"}
        assert expected in services.values()
    for modules in services.values():
        assert {layer for m in modules for layer in LAYERS if m.startswith(layer)} == set(LAYERS)


def test_wiring_and_helpers_form_the_shared_kernel(tmp_path: Path):
    decomposition = decompose(build(layered_monolith(tmp_path), AnalysisOptions(cache=False)), AnalysisOptions())
    shared = {m for m, s in decomposition.assignment.items() if s == SHARED_KERNEL_NAME}
    assert {"shop.app", "shop.db", "shop.utils.clock", "shop.api", "shop.services", "shop.models"} <= shared


def test_each_service_owns_its_table_and_is_named_after_it(tmp_path: Path):
    decomposition = decompose(build(layered_monolith(tmp_path), AnalysisOptions(cache=False)), AnalysisOptions())
    tables = {c.name: c.tables for c in decomposition.clusters if c.kind == "service"}
    assert tables == {"orders": ("orders",), "payments": ("payments",), "catalog": ("products",)}
