"""Stage reasons become codes and values rendered in the reader's language:
the reasons stored as text are kept in reason_legacy until the
post-migration reads them."""


def migrate(cr, version):
    cr.execute(
        """
        SELECT 1 FROM information_schema.columns
         WHERE table_name = 'crm_customer_stage_history' AND column_name = 'reason'
        """
    )
    if cr.fetchone():
        cr.execute(
            "ALTER TABLE crm_customer_stage_history"
            " RENAME COLUMN reason TO reason_legacy"
        )
