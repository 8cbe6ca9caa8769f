"""A generated corpus for the scale benchmarks: N stories with entities, made in minutes, same every run.

Stories are about 2,500 characters of Zipf-distributed words (a fixed vocabulary, seeded), with a few
words the benchmarks search for at known rates: "ballet" in about 1 story in 20, the phrase "the old
theatre" in about 1 in 200. Each story gets a handful of model entities in mixed review states and a
spread of statuses, so the list, queue and dashboard have real work to do. Rows go in with
bulk_create in chunks, so 100,000 stories take minutes, not hours.

    .venv/bin/python benchmarks/corpus.py --stories 100000      # into DATABASE_URL (or ./corpus.sqlite3)
    from benchmarks.corpus import generate                      # from another benchmark, after setup
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHUNK = 2000
WORDS_PER_STORY = 420
NAMES = ["Anna", "Boris", "Olga", "Ivan", "Mary", "Tom", "Sergei", "Lydia", "Pavel", "Nina"]
PLACES = ["Paris", "Moscow", "London", "Riga", "Odessa", "Vienna"]
COMMON = " ".join(
    [
        "the of and to a in was he she it that his her with as had for at on but not they be by said from",
        "all were one when there this would what so an out them into could up no which more then their",
        "time about came like some only little over now very room night looked away door hand old eyes",
        "house face went before know again back never thought long made still through down",
    ]
).split()


def _vocabulary(rng: random.Random) -> list[str]:
    letters = "abcdefghiklmnoprstuvw"
    rare = {"".join(rng.choice(letters) for _ in range(rng.randint(4, 9))) for _ in range(6000)}
    return COMMON + sorted(rare)


def story_texts(count: int, seed: int = 7):
    """Yield (title, text, [(start, end, label)]) for `count` stories, deterministically."""
    rng = random.Random(seed)
    vocabulary = _vocabulary(rng)
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    for n in range(count):
        words = rng.choices(vocabulary, weights=weights, k=WORDS_PER_STORY)
        spans_at = sorted(rng.sample(range(5, WORDS_PER_STORY - 5), 6))
        for at in spans_at:
            words[at] = rng.choice(NAMES + PLACES)
        if n % 20 == 0:
            words[40] = "ballet"
        if n % 200 == 0:
            words[80:83] = ["the", "old", "theatre"]
        text, spans, offset = [], [], 0
        for i, word in enumerate(words):
            if i in spans_at:
                spans.append((offset, offset + len(word), "GPE" if word in PLACES else "PERSON"))
            text.append(word)
            offset += len(word) + 1
            if i % 60 == 59:
                text[-1] += ".\n\n"
                offset += 3
        yield f"Generated story {n:06d}", " ".join(text).rstrip(), spans


def generate(count: int, *, seed: int = 7, progress: bool = True) -> float:
    """Add `count` stories (and their entities) to the configured database; returns seconds taken."""
    from annotations.models import Entity, Label
    from stories.models import Story

    for name in ("PERSON", "GPE"):
        Label.objects.get_or_create(name=name)
    statuses = [Story.Status.NEW] * 5 + [Story.Status.IN_PROGRESS] * 2 + [Story.Status.APPROVED] * 2
    statuses += [Story.Status.DONE]
    states = [Entity.ReviewState.PENDING, Entity.ReviewState.ACCEPTED, Entity.ReviewState.REJECTED]
    started = time.perf_counter()
    rows = story_texts(count, seed)
    done = 0
    while done < count:
        chunk = [next(rows) for _ in range(min(CHUNK, count - done))]
        stories = Story.objects.bulk_create(
            Story(
                title=title,
                text=text,
                text_length=len(text),
                word_count=WORDS_PER_STORY,
                sha256=hashlib.sha256(f"{seed}:{done + i}:{text}".encode()).hexdigest(),
                status=statuses[(done + i) % len(statuses)],
            )
            for i, (title, text, _spans) in enumerate(chunk)
        )
        entities = []
        for story, (_title, text, spans) in zip(stories, chunk, strict=True):
            settled = story.status in (Story.Status.DONE, Story.Status.APPROVED)
            for j, (start, end, label) in enumerate(spans):
                state = states[1 + j % 2] if settled else states[j % 3]
                entities.append(
                    Entity(
                        story=story,
                        start=start,
                        end=end,
                        text=text[start:end],
                        label_id=label,
                        origin=Entity.Origin.MODEL,
                        review_state=state,
                        model_start=start,
                        model_end=end,
                        model_label=label,
                    )  # fmt: skip
                )
        Entity.objects.bulk_create(entities, ignore_conflicts=True)
        done += len(chunk)
        if progress:
            rate = done / (time.perf_counter() - started)
            print(f"\r  {done:,} / {count:,} stories ({rate:,.0f}/s)", end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'corpus.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    seconds = generate(args.stories, seed=args.seed)
    print(f"{args.stories:,} stories in {seconds:.0f} s")


if __name__ == "__main__":
    main()
