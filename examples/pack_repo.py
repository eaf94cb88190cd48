"""Pack a repository into one prompt and count it: no model, no key, no network.

Run:
    python3 examples/pack_repo.py [REPO] [--budget 200k] [--task "what you want done"]

Prints the pack's size, how many files went in whole, as skeletons or not at all, and the
largest files. With --task, files are ranked by relevance to it before the budget cuts.
"""

from __future__ import annotations

import argparse

import assistant


def tokens(text: str) -> int:
    scale = {"k": 1_000, "m": 1_000_000}
    text = text.lower()
    return int(float(text[:-1]) * scale[text[-1]]) if text[-1] in scale else int(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", nargs="?", default=".")
    parser.add_argument("--budget", type=tokens, default=None)
    parser.add_argument("--task", default=None)
    parser.add_argument("--encoding", default="cl100k_base")
    args = parser.parse_args()

    pack = assistant.pack(args.repo, budget=args.budget, encoding=args.encoding, task=args.task)
    tiers = pack.tiers
    print(f"packed {pack.root}: {pack.tokens:,} tokens ({pack.encoding})")
    print(f"files: {tiers['full']} whole, {tiers['skeleton']} skeleton, {tiers['omitted']} omitted")
    print(f"prefix shared with any other task: {pack.stable_prefix_tokens:,} tokens")
    for f in sorted(pack.files, key=lambda f: -f.tokens)[:5]:
        print(f"  {f.tokens:>8,}  {f.tier:<8}  {f.path}")


if __name__ == "__main__":
    main()
