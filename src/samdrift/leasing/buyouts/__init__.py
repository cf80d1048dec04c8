"""Buyouts: taking over a municipality's existing equipment at book value.

``drafting`` (create, register equipment, correct the basis) → ``agreeing`` (valuation
frozen, signed-off XLSX kept) → ``completion`` (assets owned and priced, sum owed).
``valuation`` and ``selectors`` read; ``state`` is what every write starts from.
"""
