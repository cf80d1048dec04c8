"""Importers for assets (with who holds them) and measured usage quantities.

Assets are matched on asset tag, or on serial number when the tag is not given or not
known. Columns of Snipe-IT's asset export are understood (Company, Name, Asset Tag,
Category, Manufacturer, Model, Model Number, Location, Purchase Date, Purchase Cost,
Checked Out To: Username, Serial, Status, Notes …), so a municipality leaving Snipe-IT
brings its file unchanged. As Snipe-IT's importer does, the products (models), persons
and locations a file names that do not exist yet are created — listed in the dry run —
unless the import is strict.

Holding follows ``inventory.services.assign_asset``: an asset in use (deployed or in
repair) is held by the municipality (and the row's service area, person, location) from
the row's assignment date, or the import's date; a change of holder closes the open
assignment on that date and opens a new one; a date inside the history is refused, as
the past is never rewritten. Assets in stock, ordered, retired or disposed are held by
no one. The asset's holder fields are kept in step with its open assignment.

``assets`` checks asset rows (``holders``: who holds them; ``asset_writing``: the bulk
writes), ``asset_columns`` and ``values`` say what other systems' files call things,
``usage`` imports measured quantities.
"""

from samdrift.inventory.importers.assets import AssetImporter
from samdrift.inventory.importers.usage import UsageImporter

__all__ = ["AssetImporter", "UsageImporter"]
