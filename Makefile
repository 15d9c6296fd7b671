# callqa — two commands for a fresh Debian machine: `make demo` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
# Debian packages: espeak-ng renders demo calls; asterisk sounds are real recorded test speech;
# portaudio19-dev builds PyAudio; pulseaudio (+ utils, ALSA plugin) gives the tests a virtual microphone;
# ffmpeg decodes MP3 in tests; postgresql and redis-server: the test session starts a throwaway cluster and
# broker from them (tests/servers.py); chromium for the page tests (Playwright drives Debian's browser, so
# no browser download is needed).
APT_PACKAGES := espeak-ng asterisk-core-sounds-en-wav asterisk-core-sounds-en portaudio19-dev ffmpeg \
	libsndfile1 postgresql redis-server pulseaudio pulseaudio-utils libasound2-plugins chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help system-deps install demo test lint typecheck pytest bench eval clean

help:
	@echo "make demo   set everything up, load demo data, run the pipeline, serve on http://$(HOST):$(PORT)"
	@echo "make test   lint (ruff), type-check (mypy) and run the test suite (pytest)"
	@echo "make bench  run the benchmarks under bench/"
	@echo "make eval   how right the verdicts are (and how right when stated certain) on ../shared/dev-set,"
	@echo "            two generated held-out sets and calls with real recorded agent speech"

system-deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages: $$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(VENV)/.installed: pyproject.toml | system-deps
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[models,postgres,broker,mic,dev]'
	touch $@

install: system-deps $(VENV)/.installed

# The demo calls are for the fictional company in callqa/demo_calls.yaml.
demo: export CALLQA_COMPANY ?= Northwind Telecom
demo: export CALLQA_COMPANY_BY_LANGUAGE ?= {"zh": "北风电信"}
demo: install
	$(VENV)/bin/callqa db upgrade
	$(VENV)/bin/callqa demo-data
	@echo "serving on http://$(HOST):$(PORT)  (pages: /login with the demo logins above; API docs: /docs)"
	$(VENV)/bin/callqa serve --host $(HOST) --port $(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy routing transcription qa scoring models callqa api tests bench

pytest: install
	$(PY) -m pytest -q

test: lint typecheck pytest

bench: install
	$(PY) bench/routing_speed.py
	$(PY) -m bench.hotline_invariants
	$(PY) bench/erlang_c.py
	$(PY) bench/erlang_a.py
	$(PY) bench/ciw_multiskill.py
	$(PY) bench/asr_speed.py
	$(PY) bench/asr_accuracy.py
	$(PY) bench/long_recording.py
	$(PY) bench/vosk_phrases.py
	$(PY) bench/decode_memory.py

# The same report on each set: the dev set (tuned on), held-out A and C (tuned on call by call), B and D
# (never tuned on; independent wording, names and voices; E is the newest, judged once per session by its final code), held-out Chinese set B (transcripts only, its own wording:
# bench/heldout_zh_b.py) and calls whose agent leg is real recorded speech (Asterisk prompts).
# Each set is analysed once; the analyses are saved to data/eval/<set>.jsonl (`callqa eval DIR --results
# FILE` re-prints a report without ASR). About 20 min of audio per set.
EVAL_SEED ?= 1
eval: install
	$(VENV)/bin/callqa eval ../shared/dev-set/calls --save data/eval/dev.jsonl
	$(PY) -m bench.heldout_calls --seed $(EVAL_SEED) --out data/heldout-a
	$(VENV)/bin/callqa eval data/heldout-a --save data/eval/heldout-a.jsonl
	$(PY) -m bench.evidence_precision data/heldout-a data/eval/heldout-a.jsonl --pools bench.heldout_calls
	$(PY) -m bench.heldout_calls_b --seed $(EVAL_SEED) --out data/heldout-b
	$(VENV)/bin/callqa eval data/heldout-b --save data/eval/heldout-b.jsonl
	$(PY) -m bench.evidence_precision data/heldout-b data/eval/heldout-b.jsonl --pools bench.heldout_calls_b
	$(PY) -m bench.heldout_calls_c --seed $(EVAL_SEED) --out data/heldout-c
	$(VENV)/bin/callqa eval data/heldout-c --save data/eval/heldout-c.jsonl
	$(PY) -m bench.evidence_precision data/heldout-c data/eval/heldout-c.jsonl --pools bench.heldout_calls_c
	$(PY) -m bench.heldout_calls_d --seed $(EVAL_SEED) --out data/heldout-d
	$(VENV)/bin/callqa eval data/heldout-d --save data/eval/heldout-d.jsonl
	$(PY) -m bench.evidence_precision data/heldout-d data/eval/heldout-d.jsonl --pools bench.heldout_calls_d
	$(PY) -m bench.heldout_calls_e --seed $(EVAL_SEED) --out data/heldout-e
	$(VENV)/bin/callqa eval data/heldout-e --save data/eval/heldout-e.jsonl
	$(PY) -m bench.evidence_precision data/heldout-e data/eval/heldout-e.jsonl --pools bench.heldout_calls_e
	$(PY) -m bench.heldout_calls_f --seed $(EVAL_SEED) --out data/heldout-f
	$(VENV)/bin/callqa eval data/heldout-f --save data/eval/heldout-f.jsonl
	$(PY) -m bench.evidence_precision data/heldout-f data/eval/heldout-f.jsonl --pools bench.heldout_calls_f
	$(PY) -m bench.heldout_calls_g --seed $(EVAL_SEED) --out data/heldout-g
	$(VENV)/bin/callqa eval data/heldout-g --save data/eval/heldout-g.jsonl
	$(PY) -m bench.evidence_precision data/heldout-g data/eval/heldout-g.jsonl --pools bench.heldout_calls_g
	$(PY) -m bench.heldout_calls_h --seed $(EVAL_SEED) --out data/heldout-h
	$(VENV)/bin/callqa eval data/heldout-h --save data/eval/heldout-h.jsonl
	$(PY) -m bench.evidence_precision data/heldout-h data/eval/heldout-h.jsonl --pools bench.heldout_calls_h
	$(PY) -m bench.heldout_calls_i --seed $(EVAL_SEED) --out data/heldout-i
	$(VENV)/bin/callqa eval data/heldout-i --save data/eval/heldout-i.jsonl
	$(PY) -m bench.evidence_precision data/heldout-i data/eval/heldout-i.jsonl --pools bench.heldout_calls_i
	$(PY) -m bench.heldout_calls_j --seed $(EVAL_SEED) --out data/heldout-j
	$(VENV)/bin/callqa eval data/heldout-j --save data/eval/heldout-j.jsonl
	$(PY) -m bench.evidence_precision data/heldout-j data/eval/heldout-j.jsonl --pools bench.heldout_calls_j
	$(PY) -m bench.heldout_calls_m --seed $(EVAL_SEED) --out data/heldout-m
	$(VENV)/bin/callqa eval data/heldout-m --save data/eval/heldout-m.jsonl
	$(PY) -m bench.evidence_precision data/heldout-m data/eval/heldout-m.jsonl --pools bench.heldout_calls_m
	$(PY) -m bench.heldout_zh_b --seed $(EVAL_SEED) --out data/heldout-zh-b
	CALLQA_LANGUAGE=zh $(VENV)/bin/callqa eval data/heldout-zh-b --from-transcripts \
		--save data/eval/heldout-zh-b.jsonl
	$(PY) -m bench.asterisk_calls --seed $(EVAL_SEED) --out data/asterisk
	$(VENV)/bin/callqa eval data/asterisk --save data/eval/asterisk.jsonl

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
