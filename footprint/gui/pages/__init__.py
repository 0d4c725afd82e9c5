"""The pages of the main window; each is a QWidget built over the shared AppContext."""
