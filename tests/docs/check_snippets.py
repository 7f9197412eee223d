#!/usr/bin/python3
"""Every ```cpp block of the given Markdown files appears, line for line
(leading white space aside), in one of the example sources, so that the
snippets in the docs are code that CTest builds and runs.

    check_snippets.py EXAMPLES_FOLDER DOC.md [DOC.md ...]
"""
import pathlib
import re
import sys


def normalise(text):
    return "\n".join(line.strip() for line in text.strip().splitlines())


def main():
    examples = pathlib.Path(sys.argv[1])
    sources = normalise("\n".join(p.read_text() for p in sorted(examples.glob("*.cpp"))))
    missing = 0
    for doc in sys.argv[2:]:
        for block in re.findall(r"```cpp\n(.*?)```", pathlib.Path(doc).read_text(), re.S):
            if normalise(block) not in sources:
                print(f"{doc}: a snippet not found in {examples}/*.cpp:\n{block}")
                missing += 1
    print(f"snippets checked; {missing} not in the examples")
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
