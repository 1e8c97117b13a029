//! APK signer certificates from v1 JAR signatures and the APK Signing Block (v2/v3).
