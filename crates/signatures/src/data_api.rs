//! Android framework / Play-services APIs that read personal data, mapped to data
//! categories. The lead walks the code index (invoked methods) and calls
//! [`data_api_category`] per call site.

/// (class descriptor, method name, category). Descriptors in DEX form.
const TABLE: &[(&str, &str, &str)] = &[
    // Advertising ID.
    (
        "Lcom/google/android/gms/ads/identifier/AdvertisingIdClient;",
        "getAdvertisingIdInfo",
        "advertising-id",
    ),
    (
        "Lcom/google/android/gms/ads/identifier/AdvertisingIdClient$Info;",
        "getId",
        "advertising-id",
    ),
    (
        "Landroidx/ads/identifier/AdvertisingIdClient;",
        "getAdvertisingIdInfo",
        "advertising-id",
    ),
    (
        "Lcom/huawei/hms/ads/identifier/AdvertisingIdClient;",
        "getAdvertisingIdInfo",
        "advertising-id",
    ),
    // Android ID (approximated by the call; the key argument is not checked).
    (
        "Landroid/provider/Settings$Secure;",
        "getString",
        "android-id",
    ),
    (
        "Landroid/provider/Settings$System;",
        "getString",
        "android-id",
    ),
    // Device / subscriber identifiers and phone number.
    (
        "Landroid/telephony/TelephonyManager;",
        "getDeviceId",
        "device-id",
    ),
    (
        "Landroid/telephony/TelephonyManager;",
        "getImei",
        "device-id",
    ),
    (
        "Landroid/telephony/TelephonyManager;",
        "getMeid",
        "device-id",
    ),
    (
        "Landroid/telephony/TelephonyManager;",
        "getSubscriberId",
        "subscriber-id",
    ),
    (
        "Landroid/telephony/TelephonyManager;",
        "getSimSerialNumber",
        "subscriber-id",
    ),
    (
        "Landroid/telephony/TelephonyManager;",
        "getLine1Number",
        "phone-number",
    ),
    (
        "Landroid/telephony/SubscriptionInfo;",
        "getNumber",
        "phone-number",
    ),
    (
        "Landroid/telephony/SubscriptionManager;",
        "getPhoneNumber",
        "phone-number",
    ),
    ("Landroid/os/Build;", "getSerial", "device-id"),
    // Carrier.
    (
        "Landroid/telephony/TelephonyManager;",
        "getNetworkOperatorName",
        "carrier",
    ),
    (
        "Landroid/telephony/TelephonyManager;",
        "getNetworkOperator",
        "carrier",
    ),
    (
        "Landroid/telephony/TelephonyManager;",
        "getSimOperatorName",
        "carrier",
    ),
    (
        "Landroid/telephony/TelephonyManager;",
        "getSimOperator",
        "carrier",
    ),
    (
        "Landroid/telephony/TelephonyManager;",
        "getNetworkCountryIso",
        "carrier",
    ),
    (
        "Landroid/telephony/TelephonyManager;",
        "getSimCountryIso",
        "carrier",
    ),
    // Cell location.
    (
        "Landroid/telephony/TelephonyManager;",
        "getCellLocation",
        "location",
    ),
    (
        "Landroid/telephony/TelephonyManager;",
        "getAllCellInfo",
        "location",
    ),
    // Sensors.
    (
        "Landroid/hardware/SensorManager;",
        "getSensorList",
        "sensors",
    ),
    (
        "Landroid/hardware/SensorManager;",
        "getDefaultSensor",
        "sensors",
    ),
    (
        "Landroid/hardware/SensorManager;",
        "registerListener",
        "sensors",
    ),
    // Accounts / e-mail.
    (
        "Landroid/accounts/AccountManager;",
        "getAccounts",
        "accounts",
    ),
    (
        "Landroid/accounts/AccountManager;",
        "getAccountsByType",
        "accounts",
    ),
    (
        "Landroid/accounts/AccountManager;",
        "getAccountsByTypeAndFeatures",
        "accounts",
    ),
    // Location.
    (
        "Landroid/location/LocationManager;",
        "getLastKnownLocation",
        "location",
    ),
    (
        "Landroid/location/LocationManager;",
        "requestLocationUpdates",
        "location",
    ),
    (
        "Landroid/location/LocationManager;",
        "requestSingleUpdate",
        "location",
    ),
    (
        "Landroid/location/LocationManager;",
        "getCurrentLocation",
        "location",
    ),
    (
        "Lcom/google/android/gms/location/FusedLocationProviderClient;",
        "getLastLocation",
        "location",
    ),
    (
        "Lcom/google/android/gms/location/FusedLocationProviderClient;",
        "requestLocationUpdates",
        "location",
    ),
    (
        "Lcom/google/android/gms/location/FusedLocationProviderClient;",
        "getCurrentLocation",
        "location",
    ),
    (
        "Lcom/google/android/gms/location/FusedLocationProviderApi;",
        "getLastLocation",
        "location",
    ),
    (
        "Lcom/google/android/gms/location/FusedLocationProviderApi;",
        "requestLocationUpdates",
        "location",
    ),
    // Wi-Fi / Bluetooth.
    ("Landroid/net/wifi/WifiInfo;", "getMacAddress", "wifi"),
    ("Landroid/net/wifi/WifiInfo;", "getSSID", "wifi"),
    ("Landroid/net/wifi/WifiInfo;", "getBSSID", "wifi"),
    ("Landroid/net/wifi/WifiManager;", "getScanResults", "wifi"),
    (
        "Landroid/net/wifi/WifiManager;",
        "getConnectionInfo",
        "wifi",
    ),
    ("Ljava/net/NetworkInterface;", "getHardwareAddress", "wifi"),
    (
        "Landroid/bluetooth/BluetoothAdapter;",
        "getAddress",
        "bluetooth",
    ),
    (
        "Landroid/bluetooth/BluetoothAdapter;",
        "getName",
        "bluetooth",
    ),
    (
        "Landroid/bluetooth/BluetoothAdapter;",
        "getBondedDevices",
        "bluetooth",
    ),
    (
        "Landroid/bluetooth/BluetoothDevice;",
        "getAddress",
        "bluetooth",
    ),
    // Installed apps.
    (
        "Landroid/content/pm/PackageManager;",
        "getInstalledPackages",
        "installed-apps",
    ),
    (
        "Landroid/content/pm/PackageManager;",
        "getInstalledApplications",
        "installed-apps",
    ),
    (
        "Landroid/content/pm/PackageManager;",
        "queryIntentActivities",
        "installed-apps",
    ),
    // Clipboard.
    (
        "Landroid/content/ClipboardManager;",
        "getPrimaryClip",
        "clipboard",
    ),
    ("Landroid/content/ClipboardManager;", "getText", "clipboard"),
    // Camera / microphone.
    ("Landroid/hardware/Camera;", "open", "camera"),
    (
        "Landroid/hardware/camera2/CameraManager;",
        "openCamera",
        "camera",
    ),
    (
        "Landroid/media/AudioRecord;",
        "startRecording",
        "microphone",
    ),
    (
        "Landroid/media/MediaRecorder;",
        "setAudioSource",
        "microphone",
    ),
];

/// Content-provider URIs (string constants) that read personal data, mapped to a category.
const URI_TABLE: &[(&str, &str)] = &[
    ("content://com.android.contacts", "contacts"),
    ("content://contacts", "contacts"),
    ("content://sms", "sms"),
    ("content://call_log", "call-log"),
    ("content://com.android.calendar", "calendar"),
];

/// The personal-data category read by calling `method` on `class_descriptor`
/// (`Landroid/telephony/TelephonyManager;`, `getDeviceId`), e.g. `device-id`,
/// `advertising-id`, `android-id`, `carrier`, `location`, `accounts`, `wifi`,
/// `bluetooth`, `installed-apps`, `clipboard`, `sensors`, `contacts`, `camera`,
/// `microphone`. Contacts are read through `ContactsContract` classes (any method) or a
/// `ContentResolver.query` on a contacts URI (see [`data_uri_category`]).
pub fn data_api_category(class_descriptor: &str, method: &str) -> Option<&'static str> {
    // The table sorted once by (class, method): a scan asks once per invoke instruction of
    // every detected SDK, hundreds of thousands of times on a large app.
    static SORTED: std::sync::OnceLock<Vec<(&str, &str, &str)>> = std::sync::OnceLock::new();
    let sorted = SORTED.get_or_init(|| {
        let mut v = TABLE.to_vec();
        v.sort_unstable();
        v
    });
    if let Ok(i) = sorted.binary_search_by(|(c, m, _)| (*c, *m).cmp(&(class_descriptor, method))) {
        return sorted.get(i).map(|&(_, _, cat)| cat);
    }
    if class_descriptor.starts_with(CONTACTS_PREFIX) {
        return Some("contacts");
    }
    None
}

/// Classes whose every method reads contacts.
const CONTACTS_PREFIX: &str = "Landroid/provider/ContactsContract";

/// Descriptor prefixes covering every class [`data_api_category`] can return a category for
/// (each table class, with its `;`, and the `ContactsContract` classes), sorted and
/// deduplicated: a caller can look up the few method ids of these classes in an app once,
/// instead of classifying every invoked method.
pub fn data_api_class_prefixes() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = TABLE.iter().map(|&(c, _, _)| c).collect();
    v.push(CONTACTS_PREFIX);
    v.sort_unstable();
    v.dedup();
    v
}

/// The category of a content-provider URI string constant (`content://sms/inbox` → `sms`).
pub fn data_uri_category(uri: &str) -> Option<&'static str> {
    URI_TABLE
        .iter()
        .find(|(p, _)| {
            uri.strip_prefix(p)
                .is_some_and(|r| r.is_empty() || r.starts_with('/'))
        })
        .map(|&(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_prefixes_cover_every_category() {
        let prefixes = data_api_class_prefixes();
        for &(c, m, cat) in TABLE {
            assert!(prefixes.iter().any(|p| c.starts_with(p)), "{c}");
            assert_eq!(data_api_category(c, m), Some(cat));
        }
        assert!(prefixes.contains(&CONTACTS_PREFIX));
        assert!(prefixes.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn known_apis() {
        let t = "Landroid/telephony/TelephonyManager;";
        assert_eq!(data_api_category(t, "getDeviceId"), Some("device-id"));
        assert_eq!(data_api_category(t, "getLine1Number"), Some("phone-number"));
        assert_eq!(data_api_category(t, "getSimOperatorName"), Some("carrier"));
        assert_eq!(data_api_category(t, "getPhoneType"), None);
        assert_eq!(
            data_api_category(
                "Lcom/google/android/gms/ads/identifier/AdvertisingIdClient;",
                "getAdvertisingIdInfo"
            ),
            Some("advertising-id")
        );
        assert_eq!(
            data_api_category("Landroid/provider/Settings$Secure;", "getString"),
            Some("android-id")
        );
        assert_eq!(
            data_api_category(
                "Landroid/provider/ContactsContract$Contacts;",
                "getLookupUri"
            ),
            Some("contacts")
        );
        assert_eq!(data_api_category("Ljava/lang/String;", "getString"), None);
        assert_eq!(data_uri_category("content://sms/inbox"), Some("sms"));
        assert_eq!(data_uri_category("content://smsx"), None);
    }

    #[test]
    fn table_has_no_duplicates_and_valid_descriptors() {
        for (i, a) in TABLE.iter().enumerate() {
            assert!(a.0.starts_with('L') && a.0.ends_with(';'), "{a:?}");
            for b in TABLE.iter().skip(i.saturating_add(1)) {
                assert!(!(a.0 == b.0 && a.1 == b.1), "duplicate {a:?}");
            }
        }
    }
}
