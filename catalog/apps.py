from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalog: data sources, inventory and listings"

    def ready(self):
        # The glossary (below the catalog) announces term changes; search documents that
        # carry a changed term are rebuilt in the same transaction (by a task after
        # commit when very many do).
        from glossary.signals import term_words_changed

        from .search import on_term_words_changed

        term_words_changed.connect(on_term_words_changed, dispatch_uid="catalog-search-terms")
