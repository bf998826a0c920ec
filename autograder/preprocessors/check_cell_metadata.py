"""nbgrader's ``CheckCellMetadata`` with its JSON schema made into a validator once per process.

nbgrader's metadata validator checks each cell's ``nbgrader`` metadata with
``jsonschema.validate(metadata, schema)``, which first checks the schema itself against JSON
Schema's meta-schema and builds a new validator, for every cell of every notebook, twice per
job (the check ends both of Autograde's passes): 15-45 ms of each job. Here the check is the
same (nbgrader's version checks, the same schema, the error ``jsonschema.validate`` would raise,
then nbgrader's own checks of v3: grade ids, points, task cells, duplicates) with the validator
built once.
"""

from __future__ import annotations

import traceback

from jsonschema import ValidationError, validators
from jsonschema.exceptions import best_match
from nbgrader.nbgraderformat import MetadataValidator
from nbgrader.nbgraderformat.common import (
    BaseMetadataValidator,
    SchemaTooNewError,
    SchemaTooOldError,
)
from nbgrader.preprocessors import CheckCellMetadata as NbgraderCheckCellMetadata

_VALIDATORS: dict[int, object] = {}


class _SchemaOnce(BaseMetadataValidator):
    def validate_cell(self, cell) -> None:
        """``BaseMetadataValidator.validate_cell`` with its validator made once."""
        if "nbgrader" not in cell.metadata:
            return
        schema = cell.metadata["nbgrader"].get("schema_version", 0)
        if schema < self.schema_version:
            raise SchemaTooOldError(
                f"Outdated schema version: {schema} (expected {self.schema_version})",
                schema,
                self.schema_version,
            )
        if schema > self.schema_version:
            raise SchemaTooNewError(
                f"Schema version is too new: {schema} (expected {self.schema_version})",
                schema,
                self.schema_version,
            )
        validator = _VALIDATORS.get(self.schema_version)
        if validator is None:
            cls = validators.validator_for(self.schema)
            cls.check_schema(self.schema)
            validator = _VALIDATORS[self.schema_version] = cls(self.schema)
        error = best_match(validator.iter_errors(cell.metadata["nbgrader"]))
        if error is not None:
            raise error


class OnceMetadataValidator(MetadataValidator, _SchemaOnce):
    """nbgrader's metadata validator (v3) whose schema check is built once per process."""


class CheckCellMetadata(NbgraderCheckCellMetadata):
    """nbgrader's preprocessor with :class:`OnceMetadataValidator`: the same checks, the same
    errors and log."""

    def preprocess(self, nb, resources):
        try:
            OnceMetadataValidator().validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg) from None
        return nb, resources
