"""The monthly compliance report (laporan kepatuhan SOP) over the completion records.

``collect`` reads the records of a period, ``figures`` computes every number (pure),
``charts`` draws them (pygal SVG), ``render`` writes the PDF, HTML, CSV and XLSX.
"""
