"""The office web application (``terbit web``): the embedded forge in a browser.

``office`` is its one door to the forge, gate, roles and records; ``accounts`` holds the
sign-in side; ``security`` the middleware; ``pages`` the views; ``app`` puts them together.
"""
