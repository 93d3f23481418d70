"""Query facets: the taxonomy entities a search names, and the reranker that uses them."""

import pytest

from careerpilot.network.schemas import Seniority
from careerpilot.retrieval.query_facets import facets, rerank


@pytest.mark.parametrize(
    ("query", "titles", "families", "skills", "level"),
    [
        (
            "Junior Product Marketing Manager job",
            {"Product Marketing Manager"},  # the longest title wins over "Marketing Manager"
            {"marketing"},
            set(),
            Seniority.ENTRY,
        ),
        ("connect me with marketers in New York", set(), {"marketing"}, set(), None),
        ("roles that need Terraform and REST APIs", set(), set(), {"terraform", "rest apis"}, None),
        (
            "k8s jobs for sr engineers",
            set(),
            {"software_engineering"},
            {"kubernetes"},
            Seniority.SENIOR,
        ),
        (
            "mid-level implementation specialists",
            {"Implementation Specialist"},
            {"customer_success"},
            set(),
            Seniority.MID,
        ),
        ("what is the weather like", set(), set(), set(), None),
    ],
)
def test_facets_tag_titles_families_skills_and_levels(
    query: str, titles: set[str], families: set[str], skills: set[str], level: Seniority | None
) -> None:
    found = facets(query)
    assert set(found.titles) == titles
    assert set(found.families) == families
    assert set(found.skills) == skills
    assert found.seniority == level


def test_words_inside_other_words_are_not_entities() -> None:
    assert not facets("javascriptless gossip").skills  # no "JavaScript", no "Go"
    assert facets("Go developers").skills == {"go"}


def test_jobs_carrying_the_named_facets_move_up_stably() -> None:
    payloads = {
        1: {"base_title": "Marketing Manager", "family": "marketing", "seniority": "mid"},
        2: {
            "base_title": "Product Marketing Manager",
            "family": "marketing",
            "seniority": "senior",
        },
        3: {"base_title": "Product Marketing Manager", "family": "marketing", "seniority": "entry"},
        4: {
            "base_title": "Backend Engineer",
            "family": "software_engineering",
            "seniority": "entry",
        },
    }
    order = rerank("jobs", "junior product marketing manager", [1, 2, 3, 4], payloads)
    assert order == [3, 2, 1, 4]  # title and level, title, family, nothing


def test_named_skills_rank_required_before_nice_to_have() -> None:
    payloads = {
        1: {"required": ["python"], "skills": ["python", "terraform"]},
        2: {"required": ["python", "terraform"], "skills": ["python", "terraform"]},
        3: {"required": [], "skills": []},
    }
    assert rerank("jobs", "terraform and python jobs", [3, 1, 2], payloads) == [2, 1, 3]


def test_a_query_naming_nothing_keeps_the_retrieval_order() -> None:
    assert rerank("jobs", "something fun", [5, 2, 9], {}) == [5, 2, 9]
    assert rerank("posts", "product marketing manager", [5, 2, 9], {}) == [5, 2, 9]
