"""team leader accounts: a user may speak for one delegation (领队), to file its appeals.

Revision ID: 45777d3552e7
Revises: 45d101c7f7fd
Create Date: 2026-11-23 19:27:56.888815

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '45777d3552e7'
down_revision = '45d101c7f7fd'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delegation_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_user_delegation_id_delegation'), 'delegation', ['delegation_id'], ['id'])


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_user_delegation_id_delegation'), type_='foreignkey')
        batch_op.drop_column('delegation_id')
