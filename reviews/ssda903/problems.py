"""Problem lines (`file:line: column: message`), bounded: the first listed, the rest counted."""

from collections import defaultdict
from collections.abc import Iterable

# The problems listed; the rest are counted ("... and 5,499,000 more problems").
MAX_PROBLEMS_LISTED = 1000
# A refused child's problems listed in the report (the rest are counted).
PROBLEMS_LISTED_PER_CHILD = 50


def show(raw: str, limit: int = 40) -> str:
    """A value as a problem line quotes it: never more than `limit` characters."""
    return repr(raw) if len(raw) <= limit else f"{raw[:limit]!r}… ({len(raw):,} characters)"


def rule(number: str, words: str) -> str:
    return f"DfE rule {number}: {words}"


def _and_more(more: int) -> list[str]:
    return [f"… and {more:,} more problem{'s' if more != 1 else ''}"] if more else []


class Problems:
    """Problem lines, keeping the first MAX_PROBLEMS_LISTED and counting the rest. With `by_child`
    (the valid-children-only mode), each child's problems are kept too, and those naming no child
    are counted apart: they refuse the whole import."""

    def __init__(self, limit: int = MAX_PROBLEMS_LISTED, *, by_child: bool = False) -> None:
        self.limit = limit
        self.listed: list[str] = []
        self.count = 0
        self.by_child: dict[str, list[str]] | None = {} if by_child else None
        self.child_counts: dict[str, int] = defaultdict(int)
        self.general_count = 0

    def add(self, problem: str, child: str | None = None) -> None:
        self.count += 1
        if len(self.listed) < self.limit:
            self.listed.append(problem)
        if self.by_child is None:
            return
        if child is None:
            self.general_count += 1
            return
        self.child_counts[child] += 1
        listed = self.by_child.setdefault(child, [])
        if len(listed) < PROBLEMS_LISTED_PER_CHILD:
            listed.append(problem)

    def add_all(self, problems: Iterable[str], child: str | None = None) -> None:
        for problem in problems:
            self.add(problem, child)

    def refused_children(self) -> dict[str, list[str]]:
        """Each child with problems, and its problems (the first 50, then how many more)."""
        return {
            child: listed + _and_more(self.child_counts[child] - len(listed))
            for child, listed in (self.by_child or {}).items()
        }

    def __bool__(self) -> bool:
        return self.count > 0

    def lines(self) -> list[str]:
        return self.listed + _and_more(self.count - len(self.listed))


class ImportProblems(Exception):
    """Raised with the problem lines (the first 1,000 and a count of the rest); nothing was written."""

    def __init__(self, problems: list[str], count: int | None = None) -> None:
        self.count = len(problems) if count is None else count
        super().__init__(f"{self.count} problem(s)")
        self.problems = problems
        self.refused: dict[str, list[str]] | None = None  # by child, when a pass of apply_plan refuses some

    @classmethod
    def from_problems(cls, problems: Problems) -> "ImportProblems":
        return cls(problems.lines(), problems.count)
