"""X12 EDI: the tokenizer, the envelope, and per-transaction-set flatteners (835, 837, 999, 277CA).

Module map (one job each):

- ``delimiters``    separators from the ISA by position (or from the ST of a file without ISA)
- ``chunks``        bytes → chunks of whole transactions (BOM, decoding, cuts before ST/ISA)
- ``envelope``      ISA/GS/ST control numbers, counts, truncation; the transaction indices
- ``diagnostics``   warnings: structured, ordered, capped; ``errors``: why a file cannot be parsed
- ``segments``      the per-segment tokenizer (:class:`SegmentReader`), the simple reference path
- ``segment_frames`` the vectorised tokenizer (:class:`SegmentFrameReader`): Polars frames
- ``money`` / ``dates`` / ``composites`` / ``fields``   value rules shared by both paths
- ``remittance_layout``  where each 835 value lives, and every frame's columns (the ingest contract)
- ``remittance``    the vectorised 835 flattener (:func:`read_remittance`, ``RemittanceFlattener``)
- ``remittance_reference``  the per-segment 835 flattener it is tested against
- ``balancing``     835 balancing as data; ``era`` the inspect totals
- ``claim_layout`` / ``claims`` / ``claim_reference``   837P and 837I: layout and frame columns,
  the vectorised flattener (``ClaimFlattener``), the per-segment one it is tested against
- ``ack_layout`` / ``acks`` / ``ack_reference``   999 the same way (``AckFlattener``)
- ``claim_status_layout`` / ``claim_status`` / ``claim_status_reference``   277CA
  (``ClaimStatusFlattener``)
- ``x12_frames``    one tokenizer pass, every kind's frames (``X12Flattener``, ``read_x12``):
  ingest's entry point
- ``claim_frames`` / ``frame_sets``   the 837/999/277CA frame containers; ``frame_values`` their
  Polars building blocks; ``values`` value rules (periods, counts, code composites); ``hierarchy``
  HL levels (837 and 277CA); ``guides`` what ST03/GS08 decide (claim type, 277CA or not)
- ``claim_quick`` / ``claim_summaries`` / ``inspect_totals``   inspect's claims and acks blocks
- ``remit_quick`` / ``era``   inspect's era block (fast path for batches that cannot warn)
- ``chunk_summary`` / ``inspect``   ``rcmwatch edi inspect`` (three summarising threads, or
  worker processes)

Writing a flattener — the tokenizer API::

    from collectors.edi.segments import SegmentReader          # per segment, any file size
    reader = SegmentReader.open(path)
    for seg in reader:            # NotX12 / TruncatedX12 (collectors.edi.errors) if unusable
        seg.tag, seg.number, seg.transaction_index
        seg.element(2)            # trimmed, "" when absent; seg.composite(1) -> ["HC", "99213"]
    reader.envelope.transactions  # Transaction(index, set_id, control_number, implementation, ...)
    reader.envelope.groups, reader.envelope.interchanges
    reader.diagnostics.warn(kind, text, segment)  # your own warnings join the file's

    from collectors.edi.segment_frames import SegmentFrameReader   # vectorised, large files
    for batch in SegmentFrameReader.open(path):   # batch.frame: segment_number, tag, text,
        ...                                       # element1, transaction_index (whole STs)

Value rules to reuse: ``money.parse_cents`` (exact cents, documented rounding),
``dates.parse_date``, ``composites.split_composite`` (ISA16 contradicted by the data),
``fields.Field`` + ``fields.read_field``.
"""
