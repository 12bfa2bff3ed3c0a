"""Every ast-grep rule in analyzer/rules/traits.yml, on a tiny positive and negative snippet."""

from __future__ import annotations

import textwrap

import pytest

from analyzer.rules import heavy_packages, load_policy, load_trait_rules
from analyzer.scan.traits import RuleHit, detect_traits

# rule id -> (source that must match, expected detail, expected 1-based line, source that must not)
CASES: dict[str, tuple[str, str, int, str]] = {
    "long-running-loop": (
        "def run():\n    while True:\n        for job in jobs():\n            if job:\n                break\n",
        "while True:", 2,
        "def retry():\n    while True:\n        if ok():\n            break\n",
    ),
    "long-timeout": (
        "POLL_TIMEOUT_SECONDS = 3 * 60 * 60\n",
        "POLL_TIMEOUT_SECONDS = 10,800 s", 1,
        "import requests\nrequests.get(url, timeout=30)\nDEADLINE = compute()\n",
    ),
    "polling-loop": (
        "import time\ndef wait():\n    while not done():\n        time.sleep(5)\n",
        "time.sleep(5)", 4,
        "import time\ndef pause():\n    time.sleep(1)\n",
    ),
    "in-process-scheduler": (
        "import schedule\nschedule.every(10).minutes.do(job)\n",
        "schedule.every(10).minutes.do(job)", 2,
        "scheduler = get_scheduler()\n",
    ),
    "table-export": (
        "import csv\ndef export(out):\n    writer = csv.writer(out)\n"
        "    for order in Order.objects.filter(paid=True).iterator(chunk_size=500):\n        writer.writerow([order.pk])\n",
        "for order in Order.objects.filter(paid=True).iterator(chunk_size=500):", 4,
        "def render(out, lines):\n    for line in lines:\n        out.write(line)\n",
    ),
    "socket-server": (
        "import socketserver\nserver = socketserver.TCPServer(('', 9000), Handler)\n",
        "socketserver.TCPServer(('', 9000), Handler)", 2,
        "import socketserver\nhandler = socketserver.BaseRequestHandler\n",
    ),
    "websocket-server": (
        "import websockets\nasync def main():\n    async with websockets.serve(echo, 'localhost', 8765):\n        pass\n",
        "websockets.serve(echo, 'localhost', 8765)", 3,
        "import websockets\nasync def call():\n    await websockets.connect('ws://x')\n",
    ),
    "background-thread": (
        "import threading\nt = threading.Thread(target=work, daemon=True)\n",
        "threading.Thread(target=work, daemon=True)", 2,
        "import threading\nlock = threading.Lock()\n",
    ),
    "multiprocessing": (
        "import multiprocessing\nwith multiprocessing.Pool(4) as pool:\n    pool.map(f, xs)\n",
        "multiprocessing.Pool(4)", 2,
        "import multiprocessing\nn = multiprocessing.cpu_count()\n",
    ),
    "native-subprocess": (
        "import subprocess\ndef transcode(src):\n    subprocess.run(['ffmpeg', '-i', src, 'out.mp4'], check=True)\n",
        "ffmpeg", 3,
        "import subprocess\nerror = subprocess.CalledProcessError\n",
    ),
    "heavy-dependency": (
        "import os\nimport pandas as pd\n",
        "pandas (~70 MB installed)", 2,
        "import os\nimport pandas_helpers\nfrom json import dumps\n",
    ),
    "large-local-file": (
        "def export(path, data):\n    with open(path, 'wb') as fh:\n        fh.write(data)\n",
        "open(path, 'wb')", 2,
        "def load(path):\n    with open(path, encoding='ascii') as fh:\n        return fh.read()\n",
    ),
    "in-process-cache": (
        "_RATES = {}\ndef remember(code, rate):\n    _RATES[code] = rate\n",
        "_RATES[code] = rate", 3,
        "def local(code, rate):\n    rates = {}\n    rates[code] = rate\n",
    ),
    "gpu": (
        "import torch\nmodel = load()\nmodel.to('cuda')\n",
        "model.to('cuda')", 3,
        "import torch\nmodel = load()\nmodel.to('cpu')\n",
    ),
    "http-route": (
        "@bp.route('/orders/<int:order_id>')\ndef show(order_id):\n    return ''\n",
        "GET /orders/<int:order_id>", 1,
        "@sock.route('/live')\ndef live(ws):\n    pass\n",
    ),
    "http-route-methods": (
        "@app.route('/orders', methods=['POST', 'PUT'])\ndef create():\n    return ''\n",
        "POST, PUT /orders", 1,
        "@app.route('/orders')\ndef index():\n    return ''\n",
    ),
    "http-verb-route": (
        "@router.post('/items')\nasync def create_item(item):\n    return item\n",
        "POST /items", 1,
        "@cache.get(key)\ndef cached():\n    pass\n",
    ),
    "django-url": (
        "from django.urls import path\nurlpatterns = [\n    path('orders/', views.order_list, name='orders'),\n]\n",
        "/orders/ -> views.order_list", 3,
        "from django.urls import path, include\nurlpatterns = [path('api/', include('shop.urls'))]\n",
    ),
    "websocket-route": (
        "@app.websocket('/ws')\nasync def feed(websocket):\n    pass\n",
        "WS /ws", 1,
        "@app.get('/ws-info')\nasync def info():\n    pass\n",
    ),
    "celery-beat-schedule": (
        "from celery.schedules import crontab\nBEAT = {'nightly': {'task': 't', 'schedule': crontab(hour=2)}}\n",
        "crontab(hour=2)", 2,
        "BEAT = {'nightly': {'task': 't', 'schedule': 30.0}}\n",
    ),
    "periodic-task": (
        "@periodic_task(run_every=timedelta(minutes=5))\ndef tick():\n    pass\n",
        "@periodic_task(run_every=timedelta(minutes=5))", 1,
        "@task(run_every=5)\ndef tick():\n    pass\n",
    ),
    "apscheduler-job": (
        "scheduler.add_job(send_digest, 'cron', hour=7)\n",
        "scheduler.add_job(send_digest, 'cron', hour=7)", 1,
        "queue.add(send_digest)\n",
    ),
    "schedule-every": (
        "import schedule\nschedule.every().day.at('10:30').do(job)\n",
        "schedule.every().day.at('10:30').do(job)", 2,
        "import schedule\nschedule.run_pending()\n",
    ),
    "django-command": (
        "from django.core.management.base import BaseCommand\nclass Command(BaseCommand):\n    def handle(self):\n        pass\n",
        "manage.py send_reminders", 2,
        "class Command(object):\n    pass\n",
    ),
    "cli-command": (
        "import click\n@click.command()\ndef migrate():\n    pass\n",
        "command migrate", 2,
        "import click\n@click.option('--dry-run')\ndef migrate():\n    pass\n",
    ),
    "celery-task": (
        "from celery import shared_task\n@shared_task(bind=True)\ndef send_receipt(self, order_id):\n    pass\n",
        "task send_receipt", 2,
        "def send_receipt(order_id):\n    pass\n",
    ),
    "queue-consumer": (
        "def consume():\n    while True:\n        messages = sqs.receive_message(QueueUrl=URL)\n",
        "sqs.receive_message loop", 2,
        "def consume_once():\n    messages = sqs.receive_message(QueueUrl=URL)\n",
    ),
    "queue-subscription": (
        "channel.basic_consume(queue='orders', on_message_callback=handle)\n",
        "channel.basic_consume(queue='orders', on_message_callback=handle)", 1,
        "channel.basic_publish(exchange='', routing_key='orders', body=b'x')\n",
    ),
}

COMMAND_PATH = "clinic/reminders/management/commands/send_reminders.py"


def hits_of(rule_id: str, source: str, path: str = "") -> list[RuleHit]:
    return [h for h in detect_traits(textwrap.dedent(source), path) if h.rule == rule_id]


def test_every_rule_has_a_case():
    assert {r.id for r in load_trait_rules()} == set(CASES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_matches_positive_snippet(rule_id):
    positive, detail, line, _ = CASES[rule_id]
    path = COMMAND_PATH if rule_id == "django-command" else "pkg/mod.py"
    hits = hits_of(rule_id, positive, path)
    assert [(h.line, h.detail) for h in hits] == [(line, detail)]
    expected_kind = next(r.entry_kind for r in load_trait_rules() if r.id == rule_id)
    assert hits[0].entry_kind == expected_kind


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_ignores_negative_snippet(rule_id):
    negative = CASES[rule_id][3]
    path = COMMAND_PATH if rule_id == "django-command" else "pkg/mod.py"
    assert hits_of(rule_id, negative, path) == []


def test_django_command_needs_management_commands_folder_when_path_known():
    source = CASES["django-command"][0]
    assert hits_of("django-command", source, "clinic/reminders/services.py") == []
    assert [h.detail for h in hits_of("django-command", source)] == ["manage.py <command>"]


def test_heavy_imports_report_each_package_with_its_size():
    hits = hits_of("heavy-dependency", "from sklearn.linear_model import Ridge\nimport numpy\nimport cv2.aruco\n")
    assert [h.detail for h in hits] == ["sklearn (~45 MB installed)", "numpy (~35 MB installed)",
                                        "cv2 (~90 MB installed)"]


def test_subprocess_detail_names_the_tool_for_strings_and_lists():
    source = ("import os, subprocess\n"
              "os.system(f'pdftk {src} cat output {dst}')\n"
              "subprocess.check_output('/usr/bin/convert in.png out.jpg', shell=True)\n"
              "subprocess.Popen(command)\n")
    assert [h.detail for h in hits_of("native-subprocess", source)] == [
        "pdftk", "convert", "command in `command`"]


def test_cache_also_flags_lru_cache_globals_and_list_mutation():
    source = ("import functools\n_SEEN = []\n@functools.lru_cache(maxsize=None)\ndef rate(code):\n"
              "    global LAST\n    _SEEN.append(code)\n")
    assert [(h.line, h.detail) for h in hits_of("in-process-cache", source)] == [
        (3, "@functools.lru_cache(maxsize=None)"), (5, "global LAST"), (6, "_SEEN.append(code)")]


def test_loop_that_breaks_is_evidence_only_when_it_sleeps_between_rounds():
    fetch = "while True:\n    rows = cursor.fetchmany(500)\n    if not rows:\n        break\n"
    watch = "import time\nwhile True:\n    sweep()\n    if not watch:\n        break\n    time.sleep(900)\n"
    assert {h.rule for h in detect_traits(fetch)} == set()
    assert {h.rule for h in detect_traits(watch)} == {"polling-loop"}


#: Loops and timeouts from real code that are no evidence of work outlasting a Lambda invocation.
NOT_LONG_RUNNING = {
    "a loop generating a unique code returns on the first free one": (
        "def unique_code():\n    while True:\n        code = make()\n        if not taken(code):\n            return code\n"),
    "a tokenizer loop returns when the text is consumed": (
        "def links(text):\n    nodes = []\n    while True:\n        match = URL.search(text)\n"
        "        if not match:\n            return nodes\n        text = text[match.end():]\n"),
    "an endless generator is consumed lazily": (
        "def positions():\n    while True:\n        for x in range(3):\n            yield x\n        next_page()\n"),
    "an ASGI lifespan handler returns on shutdown": (
        "async def app(scope, receive, send):\n    while True:\n        message = await receive()\n"
        "        if message['type'] == 'lifespan.shutdown':\n            return\n"),
    "a retry loop with backoff breaks on success": (
        "from time import sleep\ndef update():\n    attempts = 0\n    while attempts < 5:\n        try:\n"
        "            write()\n            break\n        except OSError:\n            attempts += 1\n"
        "            sleep(attempts * 2)\n"),
    "a sub-second wait for the clock to tick": (
        "import time\ndef later(expires):\n    while time.time() == expires:\n        time.sleep(0.1)\n"),
    "a cache entry kept for thirty minutes": "def keep(key, data):\n    cache.set(key, data, timeout=1800)\n",
    "cache, throttling and session constants": (
        "CACHE_TIMEOUT = 30 * 24 * 3600\nDEFAULT_THROTTLING_TIMEOUT = 4000\nSESSION_TIMEOUT = 86400\n"),
}


@pytest.mark.parametrize("name", sorted(NOT_LONG_RUNNING))
def test_loops_that_end_and_expiries_are_no_long_running_evidence(name):
    rules = {"long-running-loop", "polling-loop", "long-timeout"}
    assert [h.rule for h in detect_traits(NOT_LONG_RUNNING[name]) if h.rule in rules] == []


def test_celery_beat_is_an_in_process_scheduler():
    source = "app.conf.beat_schedule = {'nightly': {'task': 'billing.close', 'schedule': 86400}}\n"
    assert [h.line for h in hits_of("in-process-scheduler", source)] == [1]


def test_a_subprocess_allowed_to_run_for_an_hour_is_long_running_evidence():
    source = "import subprocess\ndef clone():\n    subprocess.run(['git', 'clone', url], timeout=3600)\n"
    assert [(h.line, h.detail) for h in hits_of("long-timeout", source)] == [(3, "timeout = 3,600 s")]


def test_time_limits_are_computed_and_kept_only_beyond_the_lambda_timeout():
    source = ("from datetime import timedelta\n@shared_task(time_limit=4 * 60 * 60)\ndef run():\n    pass\n"
              "MAX_WAIT = timedelta(hours=2)\nJOB_TIMEOUT_MINUTES = 20\nHTTP_TIMEOUT = 300\n")
    assert [(h.line, h.detail) for h in hits_of("long-timeout", source)] == [
        (2, "time_limit = 14,400 s"), (5, "MAX_WAIT = 7,200 s"), (6, "JOB_TIMEOUT_MINUTES = 1,200 s")]


def test_file_writes_through_path_and_compression_modules_count_reads_do_not():
    source = ("import gzip\nfrom pathlib import Path\n"
              "with gzip.open(path, 'wt', newline='') as out:\n    pass\n"
              "with Path(p).open('w', encoding='ascii') as out:\n    pass\n"
              "with gzip.open(path) as src, Path(p).open('rb') as raw:\n    pass\n")
    assert [h.line for h in hits_of("large-local-file", source)] == [3, 5]


def test_hits_are_sorted_and_unique_and_odd_source_does_not_raise():
    source = "import pandas\nimport pandas\nprint 'python 2'\nwhile True:\n    pass\n"
    hits = detect_traits(source)
    assert list(hits) == sorted(set(hits), key=lambda h: (h.line, h.rule, h.detail))
    assert {h.rule for h in hits} == {"heavy-dependency", "long-running-loop"}


def test_every_trait_rule_has_a_target_weight_and_every_package_a_size():
    policy = load_policy().targets.rules
    traits = {r.id for r in load_trait_rules() if not r.entry_kind}
    assert traits == set(policy)
    assert all(package.mb > 0 for package in heavy_packages().values())
    assert all(req in heavy_packages() for p in heavy_packages().values() for req in p.requires)
