"""Messages of the transport guards: the event socket (hub_app/transport.py) and uploads."""

MESSAGES = {
    "transport.too_many_events": (
        "Terlalu banyak permintaan dari tab ini dalam waktu singkat. Koneksi ditutup; muat ulang halaman "
        "untuk melanjutkan.",
        "Too many requests from this tab in a short time. The connection was closed; reload the page to "
        "continue."),
    "transport.event_too_large": (
        "Permintaan ini terlalu besar dan tidak diproses. Persingkat isinya lalu coba lagi.",
        "This request is too large and was not processed. Shorten it and try again."),
    "error.image_too_many_pixels": (
        "Gambar terlalu besar dalam piksel. Perkecil gambar (misalnya menjadi 2000 × 2000 piksel) lalu unggah "
        "lagi.",
        "The image has too many pixels. Scale it down (for example to 2000 × 2000 pixels) and upload it again."),
}
