"""policy fidelity: referrals to the city attorney, extensions on written request, permits and
actions on them, the patrol plan and its property reviews, the enforcement fund, a repeat
violation's first report, complaint type and the anonymous-complaint weighing, the property's
location, the reason a notice of violation went without a warning, settlement factors, and the
citation a generated citation document is made from

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _made_by(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f(f"fk_{table}_created_by_id_users")
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "patrol_areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        *_made_by("patrol_areas"),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_patrol_areas_jurisdiction_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_areas")),
        sa.UniqueConstraint(
            "jurisdiction_code", "name", name=op.f("uq_patrol_areas_jurisdiction_code")
        ),
    )
    with op.batch_alter_table("properties") as batch:
        # Where the property is (WGS 84), and the parcel's outline as [lat, lon] pairs when the
        # city's parcel data gives one: the case file's location map is drawn from these.
        batch.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("longitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("parcel_outline", _json(), nullable=True))
        batch.add_column(sa.Column("patrol_area_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_properties_patrol_area_id_patrol_areas"),
            "patrol_areas",
            ["patrol_area_id"],
            ["id"],
        )
    op.create_table(
        # A property looked at on patrol, case or no case (Lee's Summit II.B.1). Not part of
        # any case file: destroying a case leaves the year's coverage as it was.
        "property_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("property_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        *_made_by("property_reviews"),
        sa.ForeignKeyConstraint(
            ["property_id"],
            ["properties.id"],
            name=op.f("fk_property_reviews_property_id_properties"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_property_reviews")),
    )
    op.create_index(op.f("ix_property_reviews_property_id"), "property_reviews", ["property_id"])
    op.create_index(op.f("ix_property_reviews_reviewed_on"), "property_reviews", ["reviewed_on"])
    with op.batch_alter_table("violations") as batch:
        # Flagged by the officer: an imminent threat to health, safety or the environment.
        batch.add_column(
            sa.Column("imminent_threat", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("imminent_threat_at", _when(), nullable=True))
        batch.add_column(sa.Column("imminent_threat_note", sa.Text(), nullable=True))
        # A repeat of a similar violation on the same property accrues to the first report.
        batch.add_column(sa.Column("repeat_of_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_violations_repeat_of_id_violations"),
            "violations",
            ["repeat_of_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("complaint_type", sa.String(length=80), nullable=True))
        # The discretion's weighing, by the factor codes of the profile: {code: finding}.
        batch.add_column(sa.Column("anonymous_factors", _json(), nullable=True))
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("no_warning_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("citation_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_documents_citation_id_citations"), "citations", ["citation_id"], ["id"]
        )
    with op.batch_alter_table("settlements") as batch:
        # The factors weighed before settling, by the profile's factor codes: {code: finding}.
        batch.add_column(sa.Column("factors", _json(), nullable=True))
    op.create_table(
        "referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("referred_on", sa.Date(), nullable=False),
        sa.Column("referred_to", sa.String(length=200), nullable=False),
        sa.Column("basis", _json(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        *_made_by("referrals"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_referrals_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
    )
    op.create_index(op.f("ix_referrals_case_id"), "referrals", ["case_id"])
    op.create_table(
        "extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("letter_attachment_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_until", sa.Date(), nullable=True),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("new_compliance_date", sa.Date(), nullable=True),
        sa.Column("notice_document_id", sa.Integer(), nullable=True),
        *_made_by("extensions"),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_extensions_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_extensions_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["notice_document_id"],
            ["documents.id"],
            name=op.f("fk_extensions_notice_document_id_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["letter_attachment_id"],
            ["attachments.id"],
            name=op.f("fk_extensions_letter_attachment_id_attachments"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_extensions_decided_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extensions")),
    )
    op.create_index(op.f("ix_extensions_case_id"), "extensions", ["case_id"])
    op.create_table(
        "permits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("violation_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("apply_by", sa.Date(), nullable=False),
        sa.Column("obtain_by", sa.Date(), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=True),
        sa.Column("obtained_on", sa.Date(), nullable=True),
        sa.Column("permit_number", sa.String(length=100), nullable=True),
        *_made_by("permits"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_permits_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["violation_id"], ["violations.id"], name=op.f("fk_permits_violation_id_violations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permits")),
    )
    op.create_index(op.f("ix_permits_case_id"), "permits", ["case_id"])
    op.create_table(
        "permit_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("permit_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("permit_description", sa.String(length=300), nullable=False),
        sa.Column("authority", sa.String(length=300), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        *_made_by("permit_actions"),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_permit_actions_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["permit_id"], ["permits.id"], name=op.f("fk_permit_actions_permit_id_permits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_actions")),
    )
    op.create_index(op.f("ix_permit_actions_case_id"), "permit_actions", ["case_id"])
    op.create_table(
        # The jurisdiction's enforcement fund (Jefferson County Rule 6). Not part of any case
        # file (a case number, no key): destroying a case must not change the fund's balance.
        "fund_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("entry_on", sa.Date(), nullable=False),
        sa.Column("case_number", sa.String(length=40), nullable=True),
        sa.Column("voucher_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("approved_by", sa.String(length=200), nullable=True),
        *_made_by("fund_entries"),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_fund_entries_jurisdiction_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_entries")),
    )
    op.create_index(
        op.f("ix_fund_entries_jurisdiction_code"), "fund_entries", ["jurisdiction_code"]
    )
    op.create_index(op.f("ix_fund_entries_entry_on"), "fund_entries", ["entry_on"])


def downgrade() -> None:
    for table in ("fund_entries", "permit_actions", "permits", "extensions", "referrals"):
        op.drop_table(table)
    with op.batch_alter_table("settlements") as batch:
        batch.drop_column("factors")
    with op.batch_alter_table("documents") as batch:
        batch.drop_constraint(batch.f("fk_documents_citation_id_citations"), type_="foreignkey")
        batch.drop_column("citation_id")
        batch.drop_column("no_warning_reason")
    with op.batch_alter_table("complaints") as batch:
        batch.drop_column("anonymous_factors")
        batch.drop_column("complaint_type")
    with op.batch_alter_table("violations") as batch:
        batch.drop_constraint(batch.f("fk_violations_repeat_of_id_violations"), type_="foreignkey")
        batch.drop_column("repeat_of_id")
        batch.drop_column("imminent_threat_note")
        batch.drop_column("imminent_threat_at")
        batch.drop_column("imminent_threat")
    op.drop_table("property_reviews")
    with op.batch_alter_table("properties") as batch:
        batch.drop_constraint(
            batch.f("fk_properties_patrol_area_id_patrol_areas"), type_="foreignkey"
        )
        batch.drop_column("patrol_area_id")
        batch.drop_column("parcel_outline")
        batch.drop_column("longitude")
        batch.drop_column("latitude")
    op.drop_table("patrol_areas")
