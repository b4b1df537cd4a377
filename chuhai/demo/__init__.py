"""The demo business: a Shenzhen seller of electronics accessories with a year of orders on nine channels.

Not a Django app (no models): plain data and generators used by ``chuhai demo`` (:func:`chuhai.demo.loader.load_demo`)
and by the benchmark. Everything is drawn from one ``random.Random(seed)``, so a seed always gives the same business.
"""
