"""The insights' periods, their errors and the labels the figures carry (services/insights.py).
Sector, stage, space kind and topic names reuse their own catalogues."""

MESSAGES = {
    "figures.period.this_week": ("Minggu ini", "This week"),
    "figures.period.last_week": ("Minggu lalu", "Last week"),
    "figures.period.this_month": ("Bulan ini", "This month"),
    "figures.period.last_month": ("Bulan lalu", "Last month"),
    "figures.period.quarter": ("Kuartal ini", "This quarter"),
    "figures.period.custom": ("Pilih tanggal", "Custom dates"),
    "figures.error.period": ("Pilih periode dari daftar.", "Choose a period from the list."),
    "figures.error.custom_dates": ("Isi tanggal mulai dan tanggal akhir.", "Enter a first and a last day."),
    "figures.error.custom_order": ("Tanggal akhir tidak boleh sebelum tanggal mulai.",
                                   "The last day cannot be before the first day."),
    "figures.error.custom_length": ("Periode paling panjang {days} hari.", "A period is at most {days} days."),
    "figures.error.month": ("Tulis bulan sebagai TTTT-BB, misalnya 2026-11.",
                            "Give the month as YYYY-MM, for example 2026-11."),
    "figures.not_given": ("Tidak diisi", "Not given"),
}
