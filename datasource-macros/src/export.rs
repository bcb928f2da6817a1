//! `export!(pyspark_name => Source, ...)`: the Python module of a wheel. The first source
//! becomes `DefaultSource`, so Spark registers it when the module is on the path.

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Ident, Path, Token, Type};

pub struct Export {
    pub module: Ident,
    pub krate: Path,
    pub sources: Vec<Type>,
}

impl Parse for Export {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut krate = syn::parse_quote!(::datasource_py);
        if input.peek(Token![crate]) {
            input.parse::<Token![crate]>()?;
            input.parse::<Token![=]>()?;
            krate = input.parse()?;
            input.parse::<Token![;]>()?;
        }
        let module: Ident = input.parse().map_err(|error| {
            syn::Error::new(
                error.span(),
                "expected the Python module name: write `export!(pyspark_mysource => MySource)`",
            )
        })?;
        let arrow = input.parse::<Token![=>]>().map_err(|error| {
            syn::Error::new(
                error.span(),
                "expected `=>` after the module name: write `export!(pyspark_mysource => MySource)`",
            )
        })?;
        let sources = Punctuated::<Type, Token![,]>::parse_terminated(input)?;
        if sources.is_empty() {
            return Err(syn::Error::new_spanned(
                arrow,
                "name at least one `#[data_source]` type after `=>`",
            ));
        }
        Ok(Export {
            module,
            krate,
            sources: sources.into_iter().collect(),
        })
    }
}

pub fn expand(input: TokenStream) -> TokenStream {
    let export: Export = match syn::parse2(input) {
        Ok(export) => export,
        Err(error) => return error.to_compile_error(),
    };
    let Export {
        module,
        krate,
        sources,
    } = export;
    let pyo3_path = format!(
        "{}::__private::pyo3",
        quote!(#krate).to_string().replace(' ', "")
    );
    quote! {
        #[#krate::__private::pyo3::pymodule]
        #[pyo3(crate = #pyo3_path)]
        fn #module(
            module: &#krate::__private::pyo3::Bound<'_, #krate::__private::pyo3::types::PyModule>,
        ) -> #krate::__private::pyo3::PyResult<()> {
            #krate::__private::init_module(
                module,
                ::std::vec![#(#krate::__private::SourceBinding::reader::<#sources>()),*],
            )
        }
    }
}
