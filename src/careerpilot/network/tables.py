"""SQL tables of the sample network.

Each entity is stored as its full JSON document (``doc``) plus the scalar columns that searches
filter and sort on; skills get their own tables so that "jobs needing Kubernetes" is an index
look-up rather than a scan of JSON.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

__all__ = [
    "companies",
    "connections",
    "job_skills",
    "jobs",
    "member_skills",
    "members",
    "metadata",
    "posts",
    "reactions",
]

metadata = MetaData()

companies = Table(
    "companies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, index=True),
    Column("industry", String(100), nullable=False, index=True),
    Column("employee_count", Integer, nullable=False),
    Column("doc", Text, nullable=False),
)

members = Table(
    "members",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, index=True),
    Column("headline", String(300), nullable=False),
    Column("location", String(100), nullable=False, index=True),
    Column("current_title", String(200), nullable=True),
    Column("current_company_id", Integer, nullable=True, index=True),
    Column("email", String(200), nullable=False, unique=True),
    Column("phone", String(50), nullable=False),
    Column("doc", Text, nullable=False),
)

member_skills = Table(
    "member_skills",
    metadata,
    Column("member_id", Integer, ForeignKey("members.id"), primary_key=True),
    Column("skill", String(100), primary_key=True),
    Index("ix_member_skills_skill", "skill"),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(200), nullable=False),
    Column("family", String(100), nullable=False, index=True),
    Column("company_id", Integer, ForeignKey("companies.id"), nullable=False, index=True),
    Column("location", String(100), nullable=False, index=True),
    Column("remote", Boolean, nullable=False),
    Column("seniority", String(20), nullable=False, index=True),
    Column("salary_max", Integer, nullable=False),
    Column("posted_on", Date, nullable=False, index=True),
    Column("search_text", Text, nullable=False),
    Column("doc", Text, nullable=False),
)

job_skills = Table(
    "job_skills",
    metadata,
    Column("job_id", Integer, ForeignKey("jobs.id"), primary_key=True),
    Column("skill", String(100), primary_key=True),
    Column("required", Boolean, nullable=False),
    Index("ix_job_skills_skill", "skill"),
)

posts = Table(
    "posts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("author_id", Integer, ForeignKey("members.id"), nullable=False, index=True),
    Column("company_id", Integer, nullable=True, index=True),
    Column("topic", String(100), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False, index=True),
    Column("search_text", Text, nullable=False),
    Column("doc", Text, nullable=False),
)

connections = Table(
    "connections",
    metadata,
    Column("member_a", Integer, ForeignKey("members.id"), primary_key=True),
    Column("member_b", Integer, ForeignKey("members.id"), primary_key=True),
    Index("ix_connections_b", "member_b"),
)

reactions = Table(
    "reactions",
    metadata,
    Column("post_id", Integer, ForeignKey("posts.id"), primary_key=True),
    Column("member_id", Integer, ForeignKey("members.id"), primary_key=True),
    Column("type", String(20), nullable=False),
)
