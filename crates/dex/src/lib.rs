//! Zero-copy DEX parser, smali reader and the app code index.
