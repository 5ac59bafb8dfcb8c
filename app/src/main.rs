//! The browser entry point: mounts the SPA on the page body.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::ui::App);
}
