"""Writing a run's charge facts: the rows, each invoice's content hash and its line sums,
in one pass over the facts.

Every fact is turned into text once — a line of PostgreSQL's COPY text format (tab
separated, ``\\N`` for NULL, see ``core.inserting.copy_text``) of the fact's fields and
the period it adjusts. That text is what an invoice's content hash is taken over
(SHA-256 per invoice, fed in batches; each line ends in a newline, so the hash does
not depend on where the batches were cut), and on PostgreSQL it is also what is sent
to the database. The hash leaves out the period, run and invoice ids (a rerun makes a
new run), which the COPY line starts with. On SQLite the rows are written as tuples,
and the text only hashed.
"""

from __future__ import annotations

import hashlib

from samdrift.billing.lines import LineAggregator
from samdrift.billing.rating.facts import FACT_FIELDS, Fact
from samdrift.core.bulk import TableWriter
from samdrift.core.inserting import copy_text

# Facts without free text: every field is a number, a date, a fixed word (the source) or
# None, and only None prints as "None". One %-format and one replace make the COPY text
# in C; facts with a description (one-off charges, buyouts) take the careful way.
_PLAIN_FORMAT = "\t".join(["%s"] * len(FACT_FIELDS)) + "\t"
# Facts hashed per batch: memory stays flat (a batch holds a few MB of text).
HASH_BATCH = 20000


def fact_text(fact: Fact, adjusts_period_id: int | None) -> str:
    """The COPY text of a fact and the period it adjusts (a whole line, newline included)."""
    if fact.description:
        text = "\t".join(map(copy_text, fact)) + "\t"
    else:
        text = (_PLAIN_FORMAT % fact).replace("None", "\\N")
    return text + ("\\N\n" if adjusts_period_id is None else f"{adjusts_period_id}\n")


class ChargeSink:
    """Takes a run's facts: writes them as charges of their municipality's invoice, sums
    them into lines and hashes them per invoice; without a ``writer`` it only sums and
    hashes. Facts of a municipality not in ``invoice_of`` (its invoice is issued, or is
    not being rewritten) are skipped."""

    def __init__(
        self, *, writer: TableWriter | None, period_id: int, run_id: int, invoice_of: dict
    ):
        self.writer = writer
        self.period_id, self.run_id = period_id, run_id
        self.invoice_of = invoice_of
        self.prefix = {m: f"{period_id}\t{run_id}\t{pk}\t" for m, pk in invoice_of.items()}
        self.hashers = {m: hashlib.sha256() for m in invoice_of}
        self.pending: dict[int, list[str]] = {m: [] for m in invoice_of}
        self.lines = LineAggregator()
        self.count = 0
        self._unhashed = 0

    def consume(self, facts, adjusts_period_id: int | None = None) -> int:
        """Take ``facts`` (all adjusting ``adjusts_period_id``, or none); returns how many
        were taken. The loop is the run's hot path: everything it uses is a local."""
        tail = "\\N\n" if adjusts_period_id is None else f"{adjusts_period_id}\n"
        prefix_of, pending = self.prefix, self.pending
        invoice_of, period_id, run_id = self.invoice_of, self.period_id, self.run_id
        add_line = self.lines.add
        write = self.writer.add if self.writer is not None else None
        as_text = self.writer is not None and self.writer.text
        plain, unhashed, taken = _PLAIN_FORMAT, self._unhashed, 0
        for fact in facts:
            municipality_id = fact.municipality
            prefix = prefix_of.get(municipality_id)
            if prefix is None:
                continue
            if fact.description:
                text = "\t".join(map(copy_text, fact)) + "\t" + tail
            else:
                text = (plain % fact).replace("None", "\\N") + tail
            pending[municipality_id].append(text)
            if as_text:
                write(prefix + text)
            elif write is not None:
                write((period_id, run_id, invoice_of[municipality_id], *fact, adjusts_period_id))
            add_line(fact, adjusts_period_id)
            taken += 1
            unhashed += 1
            if unhashed >= HASH_BATCH:
                self._unhashed = unhashed
                self.flush_hashes()
                unhashed = 0
        self._unhashed = unhashed
        self.count += taken
        return taken

    def flush_hashes(self) -> None:
        for municipality_id, texts in self.pending.items():
            if texts:
                self.hashers[municipality_id].update("".join(texts).encode())
                texts.clear()
        self._unhashed = 0

    def hexdigest(self, municipality_id: int) -> str:
        self.flush_hashes()
        return self.hashers[municipality_id].hexdigest()
