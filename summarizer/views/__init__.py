"""What people read: terminal and Markdown layouts (``text``) and HTML reports (``html``)."""
