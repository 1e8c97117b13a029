//! APK container reading: Android-faithful zip, split bundles, bounded inflate.
