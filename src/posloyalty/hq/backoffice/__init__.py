"""The HQ back office: operators run the programme in a browser (server-rendered pages with
htmx), in Chinese, English and Spanish. ``web.mount`` adds it to the HQ app under ``/office``."""
