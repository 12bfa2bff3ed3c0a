"""ORM models and table access from scan facts (fixtures built from the model dataclasses)."""

from analyzer.graph.data import find_data_access
from analyzer.model import CallSite, CodeBase, Definition, ModuleFacts, SqlAccess, SymbolUse


def cls(qualname: str, *bases: str, attributes: dict[str, str] | None = None, line: int = 1) -> Definition:
    module = qualname.rpartition(".")[0]
    return Definition(qualname, "class", module, module.replace(".", "/") + ".py", line, line + 5, 6,
                      bases=bases, attributes=tuple(sorted((attributes or {}).items())))


def method(qualname: str, line: int = 3) -> Definition:
    module = qualname.split(".")[0] + "." + qualname.split(".")[1]
    return Definition(qualname, "method", module, module.replace(".", "/") + ".py", line, line + 2, 3)


def facts(name: str, *definitions: Definition, calls=(), uses=(), sql=()) -> ModuleFacts:
    return ModuleFacts(name, name.replace(".", "/") + ".py", 30, definitions=definitions,
                       calls=tuple(calls), uses=tuple(uses), sql=tuple(sql))


def codebase(*modules: ModuleFacts) -> CodeBase:
    return CodeBase("root", tuple(sorted(modules, key=lambda m: m.name)))


def tables(models) -> dict[str, str]:
    return {m.qualname: m.table for m in models}


def test_sqlalchemy_models_on_a_project_declarative_base():
    base = facts("shop.db")  # Base = declarative_base(): not a class the scanner sees
    models_module = facts(
        "shop.models",
        cls("shop.models.Order", "shop.db.Base", attributes={"__tablename__": "orders"}),
        cls("shop.models.RushOrder", "shop.models.Order"),  # single-table inheritance
        cls("shop.models.Timestamped", "shop.db.Base", attributes={"__abstract__": "True"}),
        cls("shop.models.Helper"),
    )
    models, _ = find_data_access(codebase(base, models_module))
    assert tables(models) == {"shop.models.Order": "orders", "shop.models.RushOrder": "orders"}
    assert {m.framework for m in models} == {"sqlalchemy"}


def test_a_declarative_base_class_maps_no_table_but_its_subclasses_do():
    module = facts(
        "shop.models",
        cls("shop.models.Base", "sqlalchemy.orm.DeclarativeBase"),
        cls("shop.models.Invoice", "shop.models.Base", attributes={"__tablename__": "invoices"}),
    )
    models, _ = find_data_access(codebase(module))
    assert tables(models) == {"shop.models.Invoice": "invoices"}


def test_flask_sqlalchemy_models_default_to_snake_case_tables():
    extensions = facts("shop.extensions")  # db = SQLAlchemy()
    module = facts("shop.models", cls("shop.models.OrderLine", "shop.extensions.db.Model"),
                   cls("shop.models.Customer", "shop.extensions.db.Model", attributes={"__tablename__": "customer"}))
    models, _ = find_data_access(codebase(extensions, module))
    assert tables(models) == {"shop.models.OrderLine": "order_line", "shop.models.Customer": "customer"}


def test_a_model_class_from_another_library_is_not_a_table():
    module = facts("ml.net", cls("ml.net.Classifier", "tensorflow.keras.Model"))
    assert find_data_access(codebase(module)) == ((), ())


def test_django_models_use_the_app_label_and_honour_meta():
    module = facts(
        "clinic.patients.models",
        cls("clinic.patients.models.Patient", "django.db.models.Model"),
        cls("clinic.patients.models.Archived", "django.db.models.Model", attributes={"Meta.db_table": "archive"}),
        cls("clinic.patients.models.Audited", "django.db.models.Model", attributes={"Meta.abstract": "True"}),
        cls("clinic.patients.models.Allergy", "clinic.patients.models.Audited"),
        cls("clinic.patients.models.VipPatient", "clinic.patients.models.Patient", attributes={"Meta.proxy": "True"}),
    )
    models, _ = find_data_access(codebase(module))
    assert tables(models) == {
        "clinic.patients.models.Patient": "patients_patient",
        "clinic.patients.models.Archived": "archive",
        "clinic.patients.models.Allergy": "patients_allergy",
        "clinic.patients.models.VipPatient": "patients_patient",
    }
    assert {m.framework for m in models} == {"django"}


def test_a_table_call_declares_a_table_owned_by_its_module():
    call = CallSite("shop.tables", ("sqlalchemy.Table",), "Table", "shop/tables.py", 4,
                    usage="assigned", args=('"order_lines"', "metadata", 'Column("id", Integer)'))
    models, accesses = find_data_access(codebase(facts("shop.tables", calls=[call])))
    assert [(m.table, m.framework, m.line) for m in models] == [("order_lines", "table", 4)]
    assert [(a.module, a.table, a.mode, a.via) for a in accesses] == [("shop.tables", "order_lines", "write", "define")]


def test_uses_of_a_model_are_reads_or_writes_with_their_location():
    model = facts("shop.models", cls("shop.models.Order", "shop.db.Base", attributes={"__tablename__": "orders"}))
    user = facts(
        "shop.repo",
        calls=[CallSite("shop.repo.add", ("sqlalchemy.orm.Session.add",), "session.add", "shop/repo.py", 9)],
        uses=[
            SymbolUse("shop.repo.find", "shop.models.Order", "shop/repo.py", 4, "query.filter"),
            SymbolUse("shop.repo.add", "shop.models.Order", "shop/repo.py", 8, "()"),
            SymbolUse("shop.repo.build", "shop.models.Order", "shop/repo.py", 12, "()"),
            SymbolUse("shop.repo.purge", "shop.models.Order", "shop/repo.py", 15, "query.filter.delete"),
        ],
    )
    _, accesses = find_data_access(codebase(model, user))
    found = {(a.accessor, a.mode, a.line) for a in accesses if a.module == "shop.repo"}
    assert found == {("shop.repo.find", "read", 4), ("shop.repo.add", "write", 8),
                     ("shop.repo.build", "read", 12), ("shop.repo.purge", "write", 15)}
    assert all(a.path == "shop/repo.py" for a in accesses if a.module == "shop.repo")


def test_django_manager_writes_and_raw_sql_are_accesses():
    model = facts("clinic.billing.models", cls("clinic.billing.models.Invoice", "django.db.models.Model"))
    service = facts(
        "clinic.billing.services",
        uses=[SymbolUse("clinic.billing.services.bill", "clinic.billing.models.Invoice",
                        "clinic/billing/services.py", 5, "objects.create")],
        sql=[SqlAccess("clinic.billing.services.report", "legacy_ledger", "read", "clinic/billing/services.py", 9)],
    )
    _, accesses = find_data_access(codebase(model, service))
    assert {(a.table, a.mode, a.via, a.line) for a in accesses if a.module == "clinic.billing.services"} == {
        ("billing_invoice", "write", "objects.create", 5), ("legacy_ledger", "read", "sql", 9)}


def test_a_models_own_methods_touch_its_table():
    save = CallSite("shop.models.Order.close", ("shop.models.Order.save",), "self.save", "shop/models.py", 6)
    module = facts("shop.models",
                   cls("shop.models.Order", "shop.db.Base", attributes={"__tablename__": "orders"}),
                   method("shop.models.Order.total", 3), method("shop.models.Order.close", 5), calls=[save])
    _, accesses = find_data_access(codebase(module))
    assert {(a.accessor, a.mode, a.via) for a in accesses} == {
        ("shop.models.Order", "write", "define"),
        ("shop.models.Order.total", "read", "method"),
        ("shop.models.Order.close", "write", "method"),
    }


def test_a_django_foreign_key_reads_the_related_table():
    patients = facts("clinic.patients.models", cls("clinic.patients.models.Patient", "django.db.models.Model"))
    fk = CallSite("clinic.visits.models.Visit", ("django.db.models.ForeignKey",), "models.ForeignKey",
                  "clinic/visits/models.py", 7, args=('"patients.Patient"', "on_delete=models.CASCADE"))
    visits = facts("clinic.visits.models", cls("clinic.visits.models.Visit", "django.db.models.Model"), calls=[fk])
    _, accesses = find_data_access(codebase(patients, visits))
    assert ("clinic.visits.models", "patients_patient", "read", "relation") in {
        (a.module, a.table, a.mode, a.via) for a in accesses}


def test_results_are_sorted_and_repeatable():
    model = facts("shop.models", cls("shop.models.Order", "shop.db.Base", attributes={"__tablename__": "orders"}))
    users = [facts(f"shop.m{i}", uses=[SymbolUse(f"shop.m{i}.f", "shop.models.Order", f"shop/m{i}.py", 3, "query")])
             for i in range(5)]
    first = find_data_access(codebase(model, *users))
    second = find_data_access(codebase(*reversed([model, *users])))
    assert first == second
    assert [a.module for a in first[1]] == sorted(a.module for a in first[1])


# --------------------------------------------------------------------------- on scanned source


def scanned(tmp_path, files: dict[str, str]):
    from analyzer.options import AnalysisOptions
    from analyzer.scan import scan

    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return find_data_access(scan(tmp_path, AnalysisOptions(cache=False)))


def test_sqlalchemy_models_and_session_use_in_real_source(tmp_path):
    models, accesses = scanned(tmp_path, {
        "shop/__init__.py": "",
        "shop/db.py": "from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n",
        "shop/models.py": (
            "from sqlalchemy import Column, Integer\nfrom shop.db import Base\n\n\n"
            "class Order(Base):\n    __tablename__ = 'orders'\n    id = Column(Integer, primary_key=True)\n"
        ),
        "shop/repo.py": (
            "from shop.models import Order\n\n\n"
            "def add(session):\n    order = Order()\n    session.add(order)\n    return order\n\n\n"
            "def find(session, order_id):\n    return session.query(Order).get(order_id)\n"
        ),
    })
    assert [(m.qualname, m.table, m.framework) for m in models] == [("shop.models.Order", "orders", "sqlalchemy")]
    modes = {(a.accessor, a.mode) for a in accesses if a.module == "shop.repo"}
    assert ("shop.repo.add", "write") in modes
    assert ("shop.repo.find", "read") in modes
    assert {a.path for a in accesses if a.module == "shop.repo"} == {"shop/repo.py"}


def test_django_models_and_manager_calls_in_real_source(tmp_path):
    models, accesses = scanned(tmp_path, {
        "clinic/__init__.py": "",
        "clinic/patients/__init__.py": "",
        "clinic/patients/models.py": (
            "from django.db import models\n\n\n"
            "class Patient(models.Model):\n    name = models.CharField(max_length=80)\n\n\n"
            "class Archive(models.Model):\n    class Meta:\n        db_table = 'patient_archive'\n"
        ),
        "clinic/patients/services.py": (
            "from clinic.patients.models import Patient\n\n\n"
            "def register(name):\n    return Patient.objects.create(name=name)\n\n\n"
            "def search(name):\n    return list(Patient.objects.filter(name=name))\n"
        ),
    })
    assert {m.qualname: m.table for m in models} == {
        "clinic.patients.models.Patient": "patients_patient",
        "clinic.patients.models.Archive": "patient_archive",
    }
    assert {(a.accessor, a.mode) for a in accesses if a.module == "clinic.patients.services"} == {
        ("clinic.patients.services.register", "write"), ("clinic.patients.services.search", "read")}
