"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


APPLICATION_ID = 0x494E5350  # "INSP": marks the file as an Inspector database


def upgrade() -> None:
    op.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    op.create_table('attachments',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('record_kind', sa.String(length=16), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('filename', sa.String(length=256), nullable=False),
    sa.Column('mime', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index('ix_attachments_record', ['record_kind', 'record_id'], unique=False)

    op.create_table('audit_log',
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('author_id', sa.String(length=36), nullable=True),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('entry_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('prev_hash')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_record', ['kind', 'record_id'], unique=False)

    op.create_table('history',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('pk'),
    sa.UniqueConstraint('kind', 'record_id', 'version')
    )
    op.create_table('inspectors',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('cert_no', sa.String(length=32), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_offset', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_offset', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('author_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('markets',
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('address', sa.String(length=256), nullable=False),
    sa.Column('district', sa.String(length=64), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_offset', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_offset', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('author_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('outbox',
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('acked_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('seq')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_acked_at'), ['acked_at'], unique=False)

    op.create_table('parties',
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('licence_name', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=256), nullable=False),
    sa.Column('legal_rep', sa.String(length=64), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_offset', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_offset', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('author_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('settings',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('seizures',
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('measure', sa.String(length=16), nullable=False),
    sa.Column('market_id', sa.String(length=36), nullable=True),
    sa.Column('party_id', sa.String(length=36), nullable=True),
    sa.Column('place', sa.String(length=256), nullable=False),
    sa.Column('suspected_violation', sa.Text(), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=True),
    sa.Column('term_days', sa.Integer(), nullable=False),
    sa.Column('extension_days', sa.Integer(), nullable=False),
    sa.Column('custody_place', sa.String(length=256), nullable=False),
    sa.Column('custodian', sa.String(length=64), nullable=False),
    sa.Column('onsite_record', sa.Text(), nullable=False),
    sa.Column('party_presence', sa.String(length=16), nullable=False),
    sa.Column('witness_name', sa.String(length=64), nullable=False),
    sa.Column('emergency', sa.Boolean(), nullable=False),
    sa.Column('source_check_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_offset', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_offset', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('author_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['market_id'], ['markets.id'], ),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('seizures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seizures_market_id'), ['market_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seizures_started_at'), ['started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_seizures_state'), ['state'], unique=False)

    op.create_table('stalls',
    sa.Column('market_id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('party_id', sa.String(length=36), nullable=True),
    sa.Column('business', sa.String(length=128), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_offset', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_offset', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('author_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['market_id'], ['markets.id'], ),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('work_logs',
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('market_id', sa.String(length=36), nullable=True),
    sa.Column('log_date', sa.String(length=10), nullable=False),
    sa.Column('operator_name', sa.String(length=64), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_offset', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_offset', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('author_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['market_id'], ['markets.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('work_logs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_logs_log_date'), ['log_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_logs_market_id'), ['market_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_logs_status'), ['status'], unique=False)

    op.create_table('complaints',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('worklog_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('complainant', sa.String(length=64), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('stall_no', sa.String(length=32), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('follow_up', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['worklog_id'], ['work_logs.id'], ),
    sa.PrimaryKeyConstraint('pk')
    )
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaints_worklog_id'), ['worklog_id'], unique=False)

    op.create_table('label_checks',
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('checked_at', sa.DateTime(), nullable=False),
    sa.Column('market_id', sa.String(length=36), nullable=True),
    sa.Column('stall_id', sa.String(length=36), nullable=True),
    sa.Column('party_id', sa.String(length=36), nullable=True),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('product_name', sa.String(length=128), nullable=False),
    sa.Column('brand', sa.String(length=64), nullable=False),
    sa.Column('spec_model', sa.String(length=64), nullable=False),
    sa.Column('batch_no', sa.String(length=64), nullable=False),
    sa.Column('shelf_life', sa.String(length=32), nullable=False),
    sa.Column('manufacturer', sa.String(length=128), nullable=False),
    sa.Column('manufacturer_address', sa.String(length=256), nullable=False),
    sa.Column('barcode', sa.String(length=14), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=True),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('price', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('form_id', sa.String(length=64), nullable=False),
    sa.Column('form_version', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('outcome_override_reason', sa.Text(), nullable=False),
    sa.Column('measure', sa.String(length=16), nullable=False),
    sa.Column('remarks', sa.Text(), nullable=False),
    sa.Column('seizure_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_offset', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_offset', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('author_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['market_id'], ['markets.id'], ),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], ),
    sa.ForeignKeyConstraint(['stall_id'], ['stalls.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('label_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_label_checks_checked_at'), ['checked_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_label_checks_market_id'), ['market_id'], unique=False)
        batch_op.create_index('ix_label_checks_status', ['status'], unique=False)

    op.create_table('rapid_tests',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('worklog_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('sample_no', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('product_name', sa.String(length=64), nullable=False),
    sa.Column('stall_no', sa.String(length=32), nullable=False),
    sa.Column('test_item', sa.String(length=32), nullable=False),
    sa.Column('method', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Numeric(precision=10, scale=3), nullable=True),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('limit_value', sa.String(length=32), nullable=False),
    sa.Column('conclusion', sa.String(length=16), nullable=False),
    sa.Column('tester', sa.String(length=64), nullable=False),
    sa.Column('tested_at', sa.DateTime(), nullable=False),
    sa.Column('instrument_no', sa.String(length=64), nullable=False),
    sa.Column('reagent_batch', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['worklog_id'], ['work_logs.id'], ),
    sa.PrimaryKeyConstraint('pk')
    )
    with op.batch_alter_table('rapid_tests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rapid_tests_worklog_id'), ['worklog_id'], unique=False)

    op.create_table('scale_checks',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('worklog_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('stall_no', sa.String(length=32), nullable=False),
    sa.Column('instrument_name', sa.String(length=64), nullable=False),
    sa.Column('model', sa.String(length=64), nullable=False),
    sa.Column('serial_no', sa.String(length=64), nullable=False),
    sa.Column('cert_no', sa.String(length=64), nullable=False),
    sa.Column('verified_on', sa.String(length=10), nullable=False),
    sa.Column('valid_until', sa.String(length=10), nullable=False),
    sa.Column('claimed_weight', sa.Numeric(precision=12, scale=3), nullable=True),
    sa.Column('actual_weight', sa.Numeric(precision=12, scale=3), nullable=True),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['worklog_id'], ['work_logs.id'], ),
    sa.PrimaryKeyConstraint('pk')
    )
    with op.batch_alter_table('scale_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scale_checks_worklog_id'), ['worklog_id'], unique=False)

    op.create_table('seals',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('seizure_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('location', sa.String(length=256), nullable=False),
    sa.ForeignKeyConstraint(['seizure_id'], ['seizures.id'], ),
    sa.PrimaryKeyConstraint('pk')
    )
    with op.batch_alter_table('seals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seals_seizure_id'), ['seizure_id'], unique=False)

    op.create_table('seizure_documents',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('seizure_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['seizure_id'], ['seizures.id'], ),
    sa.PrimaryKeyConstraint('pk')
    )
    with op.batch_alter_table('seizure_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seizure_documents_seizure_id'), ['seizure_id'], unique=False)

    op.create_table('seizure_items',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('seizure_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('spec', sa.String(length=128), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('remark', sa.String(length=256), nullable=False),
    sa.ForeignKeyConstraint(['seizure_id'], ['seizures.id'], ),
    sa.PrimaryKeyConstraint('pk')
    )
    with op.batch_alter_table('seizure_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seizure_items_seizure_id'), ['seizure_id'], unique=False)

    op.create_table('seizure_officers',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('seizure_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('inspector_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('cert_no', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['inspector_id'], ['inspectors.id'], ),
    sa.ForeignKeyConstraint(['seizure_id'], ['seizures.id'], ),
    sa.PrimaryKeyConstraint('pk')
    )
    with op.batch_alter_table('seizure_officers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seizure_officers_seizure_id'), ['seizure_id'], unique=False)

    op.create_table('seizure_transitions',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('seizure_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=False),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('inspector_id', sa.String(length=36), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['seizure_id'], ['seizures.id'], ),
    sa.PrimaryKeyConstraint('pk')
    )
    with op.batch_alter_table('seizure_transitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seizure_transitions_seizure_id'), ['seizure_id'], unique=False)

    op.create_table('check_items',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('check_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('item_key', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=256), nullable=False),
    sa.Column('legal_basis', sa.String(length=128), nullable=False),
    sa.Column('result', sa.String(length=8), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['check_id'], ['label_checks.id'], ),
    sa.PrimaryKeyConstraint('pk')
    )
    with op.batch_alter_table('check_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_items_check_id'), ['check_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('check_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_items_check_id'))

    op.drop_table('check_items')
    with op.batch_alter_table('seizure_transitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seizure_transitions_seizure_id'))

    op.drop_table('seizure_transitions')
    with op.batch_alter_table('seizure_officers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seizure_officers_seizure_id'))

    op.drop_table('seizure_officers')
    with op.batch_alter_table('seizure_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seizure_items_seizure_id'))

    op.drop_table('seizure_items')
    with op.batch_alter_table('seizure_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seizure_documents_seizure_id'))

    op.drop_table('seizure_documents')
    with op.batch_alter_table('seals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seals_seizure_id'))

    op.drop_table('seals')
    with op.batch_alter_table('scale_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scale_checks_worklog_id'))

    op.drop_table('scale_checks')
    with op.batch_alter_table('rapid_tests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rapid_tests_worklog_id'))

    op.drop_table('rapid_tests')
    with op.batch_alter_table('label_checks', schema=None) as batch_op:
        batch_op.drop_index('ix_label_checks_status')
        batch_op.drop_index(batch_op.f('ix_label_checks_market_id'))
        batch_op.drop_index(batch_op.f('ix_label_checks_checked_at'))

    op.drop_table('label_checks')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaints_worklog_id'))

    op.drop_table('complaints')
    with op.batch_alter_table('work_logs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_logs_status'))
        batch_op.drop_index(batch_op.f('ix_work_logs_market_id'))
        batch_op.drop_index(batch_op.f('ix_work_logs_log_date'))

    op.drop_table('work_logs')
    op.drop_table('stalls')
    with op.batch_alter_table('seizures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seizures_state'))
        batch_op.drop_index(batch_op.f('ix_seizures_started_at'))
        batch_op.drop_index(batch_op.f('ix_seizures_market_id'))

    op.drop_table('seizures')
    op.drop_table('settings')
    op.drop_table('parties')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_acked_at'))

    op.drop_table('outbox')
    op.drop_table('markets')
    op.drop_table('inspectors')
    op.drop_table('history')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_record')

    op.drop_table('audit_log')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index('ix_attachments_record')

    op.drop_table('attachments')

