"""results: competitor totals, board states, the /live event log, hall screens;
award, ranking, scale and classic-method settings.

Columns added to existing tables carry a server default, so rows already stored get the
documented defaults (3 medals, 优胜奖 for the top half, points 4/3/2/1, the default
tie-break chain, no scale, theory 20% with pass marks 60).

Revision ID: 04bacfde2aaf
Revises: 94afc4dd5896
Create Date: 2026-11-23 16:08:51.578815

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '04bacfde2aaf'
down_revision = '94afc4dd5896'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('live_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('competition_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('event', sa.String(length=30), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['competition_id'], ['competition.id'], name=op.f('fk_live_event_competition_id_competition')),
    sa.ForeignKeyConstraint(['project_id'], ['skill_project.id'], name=op.f('fk_live_event_project_id_skill_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_event')),
    sa.UniqueConstraint('competition_id', 'seq', name=op.f('uq_live_event_competition_id_seq'))
    )
    op.create_table('board_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('competition_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('division_id', sa.Integer(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('reveal_mode', sa.String(length=10), nullable=True),
    sa.Column('reveal_step', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['competition_id'], ['competition.id'], name=op.f('fk_board_state_competition_id_competition')),
    sa.ForeignKeyConstraint(['division_id'], ['division.id'], name=op.f('fk_board_state_division_id_division')),
    sa.ForeignKeyConstraint(['project_id'], ['skill_project.id'], name=op.f('fk_board_state_project_id_skill_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_state')),
    sa.UniqueConstraint('project_id', 'division_id', name=op.f('uq_board_state_project_id_division_id'))
    )
    with op.batch_alter_table('board_state', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_state_competition_id'), ['competition_id'], unique=False)

    op.create_table('screen',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('competition_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('show', sa.String(length=10), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('division_id', sa.Integer(), nullable=True),
    sa.Column('rotate_seconds', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['competition_id'], ['competition.id'], name=op.f('fk_screen_competition_id_competition')),
    sa.ForeignKeyConstraint(['division_id'], ['division.id'], name=op.f('fk_screen_division_id_division')),
    sa.ForeignKeyConstraint(['project_id'], ['skill_project.id'], name=op.f('fk_screen_project_id_skill_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screen')),
    sa.UniqueConstraint('competition_id', 'name', name=op.f('uq_screen_competition_id_name'))
    )
    with op.batch_alter_table('screen', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screen_competition_id'), ['competition_id'], unique=False)

    op.create_table('competitor_result',
    sa.Column('competitor_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('division_id', sa.Integer(), nullable=False),
    sa.Column('total', sa.Double(), nullable=False),
    sa.Column('judgement_total', sa.Double(), nullable=False),
    sa.Column('module_totals', sa.JSON(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('aspects_counted', sa.Integer(), nullable=False),
    sa.Column('aspects_expected', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['competitor_id'], ['competitor.id'], name=op.f('fk_competitor_result_competitor_id_competitor')),
    sa.ForeignKeyConstraint(['division_id'], ['division.id'], name=op.f('fk_competitor_result_division_id_division')),
    sa.ForeignKeyConstraint(['project_id'], ['skill_project.id'], name=op.f('fk_competitor_result_project_id_skill_project')),
    sa.PrimaryKeyConstraint('competitor_id', name=op.f('pk_competitor_result'))
    )
    with op.batch_alter_table('competitor_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competitor_result_division_id'), ['division_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_competitor_result_project_id'), ['project_id'], unique=False)

    with op.batch_alter_table('competition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('medal_count', sa.Integer(), nullable=False, server_default='3'))
        batch_op.add_column(sa.Column('merit_award', sa.String(length=10), nullable=False, server_default='top_half'))
        batch_op.add_column(sa.Column('points_gold', sa.Integer(), nullable=False, server_default='4'))
        batch_op.add_column(sa.Column('points_silver', sa.Integer(), nullable=False, server_default='3'))
        batch_op.add_column(sa.Column('points_bronze', sa.Integer(), nullable=False, server_default='2'))
        batch_op.add_column(sa.Column('points_merit', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('live_seq', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('competitor', schema=None) as batch_op:
        batch_op.add_column(sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('theory_score', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('tie_position', sa.Integer(), nullable=True))

    with op.batch_alter_table('skill_project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tie_break_chain', sa.String(length=200), nullable=False, server_default='judgement,completion,chief'))
        batch_op.add_column(sa.Column('use_scale', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('scale_centre', sa.Double(), nullable=False, server_default='700'))
        batch_op.add_column(sa.Column('scale_k', sa.Double(), nullable=False, server_default='20'))
        batch_op.add_column(sa.Column('theory_weight', sa.Double(), nullable=False, server_default='0.2'))
        batch_op.add_column(sa.Column('theory_pass', sa.Double(), nullable=True, server_default='60'))
        batch_op.add_column(sa.Column('practical_pass', sa.Double(), nullable=True, server_default='60'))



def downgrade():
    with op.batch_alter_table('skill_project', schema=None) as batch_op:
        batch_op.drop_column('practical_pass')
        batch_op.drop_column('theory_pass')
        batch_op.drop_column('theory_weight')
        batch_op.drop_column('scale_k')
        batch_op.drop_column('scale_centre')
        batch_op.drop_column('use_scale')
        batch_op.drop_column('tie_break_chain')

    with op.batch_alter_table('competitor', schema=None) as batch_op:
        batch_op.drop_column('tie_position')
        batch_op.drop_column('theory_score')
        batch_op.drop_column('completed_at')

    with op.batch_alter_table('competition', schema=None) as batch_op:
        batch_op.drop_column('live_seq')
        batch_op.drop_column('points_merit')
        batch_op.drop_column('points_bronze')
        batch_op.drop_column('points_silver')
        batch_op.drop_column('points_gold')
        batch_op.drop_column('merit_award')
        batch_op.drop_column('medal_count')

    with op.batch_alter_table('competitor_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competitor_result_project_id'))
        batch_op.drop_index(batch_op.f('ix_competitor_result_division_id'))

    op.drop_table('competitor_result')
    with op.batch_alter_table('screen', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screen_competition_id'))

    op.drop_table('screen')
    with op.batch_alter_table('board_state', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_state_competition_id'))

    op.drop_table('board_state')
    op.drop_table('live_event')
