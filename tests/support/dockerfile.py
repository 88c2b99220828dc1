"""A Dockerfile read into its stages and instructions, so tests assert on what the build does
rather than on substrings of the text. Enough of the syntax for TMS's Dockerfiles: comments,
parser directives, line continuations, JSON (exec) and shell forms."""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case: FROM, RUN, COPY, ...
    value: str  # the arguments, continuation lines joined

    @property
    def exec_form(self) -> list[str] | None:
        """The JSON array of an exec-form instruction (CMD ["a", "b"]), else None."""
        if not self.value.startswith("["):
            return None
        parsed = json.loads(self.value)
        return parsed if isinstance(parsed, list) else None

    @property
    def flags(self) -> dict[str, str]:
        """Leading --name=value options (COPY --from=build, HEALTHCHECK --interval=30s)."""
        return dict(word[2:].partition("=")[::2] for word in self._split()[0])

    @property
    def arguments(self) -> list[str]:
        """The words after the leading --options, e.g. COPY's sources and destination."""
        return self._split()[1]

    def _split(self) -> tuple[list[str], list[str]]:
        words = self.value.split()
        n = 0
        while n < len(words) and words[n].startswith("--"):
            n += 1
        return words[:n], words[n:]


@dataclass
class Stage:
    base: str  # the image FROM names
    name: str | None  # FROM ... AS name
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def values(self, keyword: str) -> list[str]:
        return [i.value for i in self.all(keyword)]

    def commands(self) -> list[list[str]]:
        """Each shell command of the stage's RUN instructions (split at && and ;), as words."""
        return [
            command.split()
            for run in self.all("RUN")
            for command in re.split(r"&&|;", run.value)
            if command.strip()
        ]

    def installed_packages(self) -> set[str]:
        """What the stage's apt-get install commands install."""
        return {
            word
            for command in self.commands()
            if command[:2] == ["apt-get", "install"]
            for word in command[2:]
            if not word.startswith("-")
        }


def instructions(text: str) -> list[Instruction]:
    result: list[Instruction] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue  # comments and parser directives (# syntax=...), also inside continuations
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        logical = (pending + line).strip()
        pending = ""
        keyword, _, value = logical.partition(" ")
        result.append(Instruction(keyword.upper(), value.strip()))
    if pending:
        raise ValueError("the Dockerfile ends inside a line continuation")
    return result


def build_arguments(text: str) -> dict[str, str]:
    """The `ARG NAME=default` instructions before the first FROM (the base images)."""
    found = {}
    for instruction in instructions(text):
        if instruction.keyword == "FROM":
            break
        if instruction.keyword == "ARG" and "=" in instruction.value:
            name, _, default = instruction.value.partition("=")
            found[name] = default
    return found


def stages(text: str) -> list[Stage]:
    """The build stages in order, each base with the build arguments' defaults put in."""
    result: list[Stage] = []
    defaults = build_arguments(text)
    for instruction in instructions(text):
        if instruction.keyword == "FROM":
            words = [w for w in instruction.value.split() if not w.startswith("--")]
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            base = re.sub(r"\$\{(\w+)\}", lambda match: defaults[match[1]], words[0])
            result.append(Stage(base=base, name=name))
        elif result:
            result[-1].instructions.append(instruction)
    return result


def read(path: Path) -> list[Stage]:
    return stages(path.read_text())
