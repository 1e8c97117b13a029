//! Android binary XML (AXML), resources.arsc and the manifest model.
