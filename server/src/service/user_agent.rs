//! Browser and operating system from a `User-Agent` header, for new-device events.

/// The browser family named by a user agent (`Chrome`, `Firefox`, …), or `Unknown`.
pub fn browser(user_agent: &str) -> &'static str {
    // Order matters: Edge and Opera also claim Chrome, Chrome also claims Safari.
    const BROWSERS: [(&str, &str); 7] = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chromium/", "Chromium"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ];
    BROWSERS
        .iter()
        .find(|(marker, _)| user_agent.contains(marker))
        .map_or("Unknown", |(_, name)| name)
}

/// The operating system named by a user agent (`macOS`, `Windows`, …), or `Unknown`.
pub fn operating_system(user_agent: &str) -> &'static str {
    // Order matters: Android claims Linux, iOS claims "like Mac OS X".
    const SYSTEMS: [(&str, &str); 7] = [
        ("Windows", "Windows"),
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iOS"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ];
    SYSTEMS
        .iter()
        .find(|(marker, _)| user_agent.contains(marker))
        .map_or("Unknown", |(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_browsers_and_systems_are_named() {
        let chrome_mac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 \
                          (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
        assert_eq!(
            (browser(chrome_mac), operating_system(chrome_mac)),
            ("Chrome", "macOS")
        );
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like \
                    Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0";
        assert_eq!((browser(edge), operating_system(edge)), ("Edge", "Windows"));
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
        assert_eq!(
            (browser(firefox), operating_system(firefox)),
            ("Firefox", "Linux")
        );
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 \
                      (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
        assert_eq!(
            (browser(iphone), operating_system(iphone)),
            ("Safari", "iOS")
        );
        let android = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile";
        assert_eq!(operating_system(android), "Android");
        assert_eq!(
            (browser("x"), operating_system("x")),
            ("Unknown", "Unknown")
        );
    }
}
